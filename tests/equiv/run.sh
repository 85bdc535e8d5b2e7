#!/usr/bin/env bash
# The IPC fast path's equivalence test: boots tests/user/equivtest.elf twice per
# seed, with the fast path on and with `ipc_fastpath=off`, and compares the two
# runs' digests step by step. On a mismatch it prints the first step that
# differs and boots both sides again with verbose=STEP, to show every item
# digested in that step side by side.
#
#   tests/equiv/run.sh BUILD SUITE STEPS MIN_HITS SEED... [-- EXTRA-ARGS]
#
# MIN_HITS: how many test messages (not the commands and reports around them)
# must take the fast path in the run where it is on. EXTRA-ARGS go to equivtest
# on both sides. Prints `ok N - ...` lines and `SUITE: N passed, N failed`.
set -u
B=$1 suite=$2 steps=$3 min_hits=$4
shift 4
seeds=() extra=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do seeds+=("$1"); shift; done
[ $# -gt 0 ] && shift && extra=("$@")
dir=$B/test/$suite
mkdir -p "$dir"
pass=0 fail=0 n=0

boot() {	# boot SIDE SEED LOG [ARGS...]
	local side=$1 seed=$2 log=$3 opt="debug_exit lockcheck"
	shift 3
	[ "$side" = off ] && opt="debug_exit lockcheck ipc_fastpath=off"
	tools/qemu-test --timeout 900 --log "$log" --expect '^equivtest: digest' -- -m 64M \
		-kernel "$B/kernel.elf" -append "$opt" \
		-initrd "$B/tests/equivtest.elf $steps $seed $*,$B/tests/equivtest.elf peer" >"$log.out" 2>&1
}

result() {	# result OK NAME [WHY]
	n=$((n + 1))
	if [ "$1" = 1 ]; then echo "ok $n - $2"; pass=$((pass + 1));
	else echo "not ok $n - $2: $3"; fail=$((fail + 1)); fi
}

for seed in "${seeds[@]}"; do
	on=$dir/seed$seed-on.serial off=$dir/seed$seed-off.serial
	boot on "$seed" "$on" "${extra[@]}" & boot off "$seed" "$off" "${extra[@]}"; rc_off=$?
	wait $!; rc_on=$?
	for side in on off; do
		log=$dir/seed$seed-$side.serial rc=$rc_on
		[ $side = off ] && rc=$rc_off
		if [ "$rc" = 0 ]; then result 1 "seed_${seed}_fastpath_${side}_runs_${steps}_steps"
		else result 0 "seed_${seed}_fastpath_${side}_runs_${steps}_steps" "$(tail -3 "$log.out" | tr '\n' ' ')"; fi
	done
	hits=$(sed -nE 's/^equivtest: fast path hits [0-9]+ \(test messages ([0-9]+) of.*/\1/p' "$on" | tr -d '\r')
	hits_off=$(sed -nE 's/^equivtest: fast path hits ([0-9]+) .*/\1/p' "$off" | tr -d '\r')
	echo "# seed $seed: $(grep -a '^equivtest: fast path hits' "$on" | tr -d '\r') with the fast path on"
	[ "${hits:-0}" -ge "$min_hits" ] && result 1 "seed_${seed}_at_least_${min_hits}_test_messages_take_the_fast_path" ||
		result 0 "seed_${seed}_at_least_${min_hits}_test_messages_take_the_fast_path" "${hits:-none}"
	[ "${hits_off:-x}" = 0 ] && result 1 "seed_${seed}_no_message_takes_it_when_off" ||
		result 0 "seed_${seed}_no_message_takes_it_when_off" "${hits_off:-none}"
	d_on=$(grep -a '^equivtest: digest' "$on" | tr -d '\r') d_off=$(grep -a '^equivtest: digest' "$off" | tr -d '\r')
	if [ -n "$d_on" ] && [ "$d_on" = "$d_off" ]; then
		result 1 "seed_${seed}_both_paths_give_the_same_results (${d_on#equivtest: })"
		continue
	fi
	first=$(diff <(grep -a '^step ' "$on" | tr -d '\r') <(grep -a '^step ' "$off" | tr -d '\r') |
		sed -nE 's/^[<>] step ([0-9]+) .*/\1/p' | head -1)
	result 0 "seed_${seed}_both_paths_give_the_same_results" "on: ${d_on:-none}, off: ${d_off:-none}; first differing step: ${first:-?}"
	[ -n "$first" ] || continue
	echo "# fast path on:  $(grep -a "^step $first " "$on" | tr -d '\r')"
	echo "# fast path off: $(grep -a "^step $first " "$off" | tr -d '\r')"
	items_on=$(grep -a "^items $first " "$on" | tr -d '\r' | cut -d' ' -f3-)
	items_off=$(grep -a "^items $first " "$off" | tr -d '\r' | cut -d' ' -f3-)
	item=$(paste <(tr ' ' '\n' <<<"$items_on") <(tr ' ' '\n' <<<"$items_off") | awk '$1 != $2 { print NR; exit }')
	boot on "$seed" "$on.verbose" verbose="$first" "${extra[@]}" & boot off "$seed" "$off.verbose" verbose="$first" "${extra[@]}"
	wait
	echo "# what step $first digested, fast path on (<) and off (>):"
	diff <(grep -a '^# ' "$on.verbose" | tr -d '\r') <(grep -a '^# ' "$off.verbose" | tr -d '\r') | cut -c1-160 | sed 's/^/# /' | head -40
	if [ -n "$item" ]; then	# the runs' own items (a difference the verbose pair may not repeat)
		echo "# the first item that differed in the runs themselves: number $item of the step, which the verbose runs show as"
		grep -a '^# ' "$on.verbose" | tr -d '\r' | sed -n "$((item - 1)),$((item + 1))p" | cut -c1-160 | sed 's/^/#   /'
	fi
done
echo "$suite: $pass passed, $fail failed"
[ "$fail" = 0 ]
