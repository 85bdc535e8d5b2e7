#!/usr/bin/env python3
"""tests/bench/baseline.json: the last accepted figures of `make bench`, and the
comparisons made against them.

    baseline.py write RESULTS_JSON ITERS BASELINE_JSON
        Makes the baseline from a `make bench` run's results.json (what
        `make bench-baseline` does after its run).
    baseline.py check RESULTS_JSON BASELINE_JSON FACTOR [REMOTE_FACTOR]
        bench-smoke's check: every Manifold figure of the baseline must have a
        figure in RESULTS_JSON, at most FACTOR times the baseline's (REMOTE_FACTOR
        for the _remote rows, whose figures follow how frames meet the two nodes'
        timing: tests/bench/README.md [6]). Prints one line per row; exits 1 when
        a row is over or missing.

report.py imports load() and change() for the table's baseline columns.
"""
import json
import sys

NOTE = ("The last accepted figures of `make bench` (tools/bench/baseline.py). "
        "Regenerate with `make bench-baseline` in the commit that changes a figure "
        "on purpose, and say why in its message: tests/bench/README.md.")


def load(path):
    """Returns (iters, {row: {"manifold": n or None, "linux": n or None}}), or None."""
    try:
        with open(path) as f:
            b = json.load(f)
    except FileNotFoundError:
        return None
    return b["iters"], b["rows"]


def change(now, then):
    """now relative to then, as a fraction (+0.1 is 10 % more), or None."""
    if now is None or then is None or then == 0:
        return None
    return (now - then) / then


def write(results_path, iters, out_path):
    with open(results_path) as f:
        results = json.load(f)
    # One row a line, so that a change of figures reads as a short diff.
    lines = ["  %s: %s" % (json.dumps(r["name"]),
                           json.dumps({"manifold": r["manifold"], "linux": r["linux"]}))
             for r in results]
    with open(out_path, "w") as f:
        f.write('{\n "note": %s,\n "iters": %d,\n "rows": {\n%s\n }\n}\n'
                % (json.dumps(NOTE), iters, ",\n".join(lines)))
    with open(out_path) as f:
        json.load(f)	# what we wrote parses
    print("baseline: %d rows at %d iterations written to %s" % (len(results), iters, out_path))
    return 0


def check(results_path, baseline_path, factor, remote_factor=None):
    base = load(baseline_path)
    if base is None:
        print("# no baseline at %s: `make bench-baseline` makes it" % baseline_path)
        return 1
    _, rows = base
    with open(results_path) as f:
        now = {r["name"]: r["manifold"] for r in json.load(f)}
    bad = 0
    for name, fig in rows.items():
        then = fig["manifold"]
        if then is None:
            continue
        got = now.get(name)
        if got is None:
            print("# %-22s no figure (baseline %d)" % (name, then))
            bad += 1
            continue
        c = change(got, then)
        f = remote_factor if remote_factor and "_remote" in name else factor
        verdict = "OVER %.1fx" % f if got > f * then else "ok"
        print("# %-22s %10d  baseline %10d  %+7.1f%%  %s" % (name, got, then, 100 * c, verdict))
        bad += got > f * then
    for name in sorted(set(n for n, v in now.items() if v is not None) - set(rows)):
        print("# %-22s %10d  not in the baseline: `make bench-baseline`" % (name, now[name]))
        bad += 1
    return 1 if bad else 0


def main(argv):
    if len(argv) == 4 and argv[0] == "write":
        return write(argv[1], int(argv[2]), argv[3])
    if len(argv) in (4, 5) and argv[0] == "check":
        return check(argv[1], argv[2], float(argv[3]), float(argv[4]) if len(argv) == 5 else None)
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
