#!/usr/bin/env bash
# Runs the named test suites (make check-<suite>), two at a time, then prints each
# suite's summary, the log of every failing suite, and one line summing them all:
# `N passed, N failed`. Exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
mkdir -p build/test
jobs=${CHECK_JOBS:-2}

run_one() {
	local s=$1 t0=$SECONDS
	make -s --no-print-directory "check-$s" >"build/test/$s.log" 2>&1
	echo $? >"build/test/$s.rc"
	echo $((SECONDS - t0)) >"build/test/$s.secs"
}
export -f run_one
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}

total_pass=0 total_fail=0 bad=()
for s in "$@"; do
	log=build/test/$s.log
	rc=$(cat "build/test/$s.rc" 2>/dev/null || echo 1)
	line=$(grep -aE "^$s: [0-9]+ passed, [0-9]+ failed" "$log" | tail -1)
	if [ -z "$line" ]; then
		p=0 f=1
		line="$s: no summary line (suite crashed or timed out)"
	else
		p=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\1/' <<<"$line")
		f=$(sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed.*/\2/' <<<"$line")
		[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1 && line="$line (but exit status $rc)"
	fi
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
	printf '%-60s %4ss\n' "$line" "$(cat "build/test/$s.secs" 2>/dev/null)"
	[ "$f" != 0 ] && bad+=("$s")
done
for s in "${bad[@]+"${bad[@]}"}"; do
	echo
	echo "==== log of failing suite $s (build/test/$s.log) ===="
	cat "build/test/$s.log"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
