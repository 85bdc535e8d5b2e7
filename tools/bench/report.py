#!/usr/bin/env python3
"""Turns the serial logs of the two benchmark boots into the table of `make bench`
and build/bench/results.json.

    report.py ROWS MANIFOLD_LOG LINUX_LOG JSON_OUT

ROWS is tests/bench/rows.tsv. A log holds `BENCH <name> <median> <unit>` lines
(anything else is ignored); a missing log means no figures from that system. A
row without a figure on one side gets null there and a null ratio: figures are
only ever what a guest printed. Exits 1 when a log has a FAIL line or a unit
disagrees with rows.tsv, after printing the table; a figure that no row
shows is only noted.
"""
import json
import re
import sys

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


def read_rows(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
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
    if len(argv) != 4:
        sys.exit("usage: report.py ROWS MANIFOLD_LOG LINUX_LOG JSON_OUT")
    rows = read_rows(argv[0])
    man, man_problems, man_system = read_log(argv[1])
    lin, lin_problems, lin_system = read_log(argv[2])
    problems = ["manifold: " + p for p in man_problems] + ["linux: " + p for p in lin_problems]

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

    head = ("row", "unit", "Manifold", "Linux", "Manifold/Linux")
    table = [head] + [(r["name"], r["unit"], cell(r["manifold"]), cell(r["linux"]),
                       cell(r["ratio"], "{:.3f}")) for r in results]
    widths = [max(len(t[i]) for t in table) for i in range(len(head))]
    for i, t in enumerate(table):
        print("  ".join(c.ljust(w) if j < 2 else c.rjust(w)
                        for j, (c, w) in enumerate(zip(t, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("Manifold: %s; Linux: %s" % (man_system or "(no INFO system line)",
                                      lin_system or "(no INFO system line)"))

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
