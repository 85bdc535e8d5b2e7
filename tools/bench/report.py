#!/usr/bin/env python3
"""Turns the serial logs of the two benchmark boots into the table of `make bench`
and build/bench/results.json.

    report.py [--baseline FILE [--iters N] [--no-linux-baseline]]
              ROWS MANIFOLD_LOG LINUX_LOG JSON_OUT

ROWS is tests/bench/rows.tsv (its "#: " lines are printed under the table,
footnotes of what a row compares with). A log holds `BENCH <name> <median> <unit>` lines
(anything else is ignored); a missing log means no figures from that system. A
row without a figure on one side gets null there and a null ratio: figures are
only ever what a guest printed. Exits 1 when a log has a FAIL line or a unit
disagrees with rows.tsv, after printing the table; a figure that no row
shows is only noted.

With --baseline (tests/bench/baseline.json), the table gains each row's
Manifold baseline and its change against it, and `WORSE` marks a row more than
10 % worse; Linux figures that moved are listed after the table (unless
--no-linux-baseline: bench-smoke's Linux figures are host cycles). --iters N
is this run's iteration count, to note a baseline made at another count.
Marking never changes the exit status: bench-smoke is the check that fails.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import baseline as baseline_mod  # noqa: E402

WORSE = 0.10	# a row more than this much worse than its baseline is marked
LINUX_MOVED = 0.01	# a Linux figure that moved more than this is listed

BENCH = re.compile(r"^BENCH (\S+) (\d+) (\S+)\s*$")


def read_log(path):
    """Returns ({name: (value, unit)}, [problem lines], system description)."""
    figures, problems, system = {}, [], None
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return figures, problems, system
    for line in text.replace("\r", "").split("\n"):
        m = BENCH.match(line)
        if m and m.group(1) != "done":
            figures[m.group(1)] = (int(m.group(2)), m.group(3))
        elif line.startswith("FAIL "):
            problems.append(line)
        elif line.startswith("INFO system "):
            system = line[len("INFO system "):].strip()
    return figures, problems, system


FOOTNOTE = "#: "	# a rows.tsv line printed under the table


def read_rows(path, footnotes=None):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if line.startswith(FOOTNOTE) and footnotes is not None:
                footnotes.append(line[len(FOOTNOTE):].strip())
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) != 4:
                sys.exit("%s:%d: want 4 tab-separated columns" % (path, n))
            rows.append([None if c == "-" else c for c in cols])
    return rows


def figure(side, figures, key, unit, problems):
    if key is None or key not in figures:
        return None
    value, got_unit = figures[key]
    if got_unit != unit:
        problems.append("%s %s: unit %s, rows.tsv says %s" % (side, key, got_unit, unit))
        return None
    return value


def main(argv):
    base_path, iters, linux_base = None, None, True
    while argv and argv[0].startswith("--"):
        if argv[0] == "--baseline" and len(argv) > 1:
            base_path, argv = argv[1], argv[2:]
        elif argv[0] == "--iters" and len(argv) > 1:
            iters, argv = int(argv[1]), argv[2:]
        elif argv[0] == "--no-linux-baseline":
            linux_base, argv = False, argv[1:]
        else:
            sys.exit("report.py: unknown option %s" % argv[0])
    if len(argv) != 4:
        sys.exit(__doc__)
    footnotes = []
    rows = read_rows(argv[0], footnotes)
    man, man_problems, man_system = read_log(argv[1])
    lin, lin_problems, lin_system = read_log(argv[2])
    problems = ["manifold: " + p for p in man_problems] + ["linux: " + p for p in lin_problems]
    base = baseline_mod.load(base_path) if base_path else None

    results = []
    for name, unit, man_key, lin_key in rows:
        m = figure("manifold", man, man_key, unit, problems)
        l = figure("linux", lin, lin_key, unit, problems)
        ratio = round(m / l, 4) if m is not None and l else None
        results.append({"name": name, "unit": unit, "manifold": m, "linux": l, "ratio": ratio})

    # Figures a guest printed that no row shows: a row is missing from rows.tsv.
    notes = []
    for side, figures, col in (("manifold", man, 2), ("linux", lin, 3)):
        shown = {r[col] for r in rows}
        for key in sorted(set(figures) - shown):
            notes.append("%s printed %s, which no row of %s shows" % (side, key, argv[0]))

    def cell(v, fmt="{:,}"):
        return "-" if v is None else fmt.format(v)

    def against_baseline(r):
        """The baseline column and the change column of row r."""
        then = base[1].get(r["name"], {}).get("manifold")
        if then is None:
            return "-", "new" if r["manifold"] is not None else "-"
        c = baseline_mod.change(r["manifold"], then)
        if c is None:
            return cell(then), "-"
        text = "=" if r["manifold"] == then else "{:+.1f}%".format(100 * c)
        return cell(then), text + (" WORSE" if c > WORSE else "")

    head = ("row", "unit", "Manifold", "Linux", "Manifold/Linux")
    if base:
        head += ("baseline", "change")
    table = [head]
    for r in results:
        t = (r["name"], r["unit"], cell(r["manifold"]), cell(r["linux"]), cell(r["ratio"], "{:.3f}"))
        table.append(t + against_baseline(r) if base else t)
    widths = [max(len(t[i]) for t in table) for i in range(len(head))]
    for i, t in enumerate(table):
        print("  ".join(c.ljust(w) if j < 2 or j == 6 else c.rjust(w)
                        for j, (c, w) in enumerate(zip(t, widths))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for n in footnotes:
        print("note: " + n)
    print("Manifold: %s; Linux: %s" % (man_system or "(no INFO system line)",
                                      lin_system or "(no INFO system line)"))
    if base_path and not base:
        print("baseline: none at %s (`make bench-baseline` makes it)" % base_path)
    elif base:
        worse = [t[0] for t in table[1:] if t[-1].endswith("WORSE")]
        print("baseline: %s (%d iterations)%s; %s" % (
            base_path, base[0],
            "" if iters is None or iters == base[0] else
            ", this run %d: medians of fewer iterations may differ a little" % iters,
            "more than %d%% worse: %s" % (100 * WORSE, ", ".join(worse))
            if worse else "no row more than %d%% worse" % (100 * WORSE)))
        if linux_base:
            for r in results:
                then = base[1].get(r["name"], {}).get("linux")
                # Linux's figures repeat (fork_16m within 14 instructions, the
                # fork rows also move with the iteration count): only a change
                # beyond LINUX_MOVED means its programs or kernel changed.
                c = baseline_mod.change(r["linux"], then)
                if c is not None and abs(c) > LINUX_MOVED:
                    print("baseline: linux %s %s, baseline %s (%+.1f%%)" % (
                        r["name"], cell(r["linux"]), cell(then),
                        100 * c))

    with open(argv[3], "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    for n in notes:
        print("report: note: " + n)
    for p in problems:
        print("report: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
