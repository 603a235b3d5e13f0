#!/usr/bin/env python3
"""Per-folder mutation score table from Stryker.NET JSON reports (mutation-testing-elements schema).

Usage: eng/mutation-score.py [--survivors] REPORT.json [REPORT.json ...]
Several reports (one per folder run) are merged; a file seen in several reports keeps the last one.
Score = (killed + timeout) / (killed + timeout + survived + no coverage), as Stryker computes it;
compile errors and ignored mutants do not count.
--survivors also lists every surviving and uncovered mutant (file:line, mutator, replacement).
"""
import json
import sys
from collections import OrderedDict

COLUMNS = ["Killed", "Survived", "Timeout", "NoCoverage", "CompileError", "Ignored"]


def folder_of(path):
    parts = path.replace("\\", "/").split("/")
    if "Fusebox" in parts:
        rest = parts[len(parts) - parts[::-1].index("Fusebox"):]
        return rest[0] if len(rest) > 1 else "(root)"
    return parts[-2] if len(parts) > 1 else "(root)"


def print_survivors(files):
    print()
    for name, mutants in sorted(files.items()):
        for m in sorted(mutants, key=lambda m: m["location"]["start"]["line"]):
            if m["status"] in ("Survived", "NoCoverage"):
                start = m["location"]["start"]
                short = name.split("src/Fusebox/")[-1]
                replacement = (m.get("replacement") or "").replace("\n", " ")[:90]
                print(f"{m['status']:<10} {short}:{start['line']}:{start['column']}  {m['mutatorName']}  ->  {replacement}")


def main(paths, survivors):
    files = OrderedDict()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            report = json.load(f)
        for name, data in report["files"].items():
            mutants = data.get("mutants", [])
            # A folder run mutates only its folder: files outside it come back all Ignored, so skip those.
            if any(m["status"] != "Ignored" for m in mutants) or name not in files:
                files[name] = mutants
    table = OrderedDict()
    for name, mutants in sorted(files.items()):
        row = table.setdefault(folder_of(name), {c: 0 for c in COLUMNS})
        for m in mutants:
            status = m["status"]
            row[status] = row.get(status, 0) + 1
    print("| Folder | Mutants | Killed | Survived | Timeout | No coverage | Score |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for folder, row in table.items():
        tested = row["Killed"] + row["Timeout"] + row["Survived"] + row["NoCoverage"]
        if tested == 0:
            continue
        score = 100.0 * (row["Killed"] + row["Timeout"]) / tested
        print(f"| {folder} | {tested} | {row['Killed']} | {row['Survived']} | {row['Timeout']} "
              f"| {row['NoCoverage']} | {score:.1f} % |")
    if survivors:
        print_survivors(files)


if __name__ == "__main__":
    args = sys.argv[1:]
    show_survivors = "--survivors" in args
    args = [a for a in args if a != "--survivors"]
    if not args:
        sys.exit(__doc__)
    main(args, show_survivors)
