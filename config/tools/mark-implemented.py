#!/usr/bin/python3
"""Marks parameters as implemented by smarthost (adds the 'impl' flag in parameters.tsv, the one place
where that is recorded), optionally replacing the generated description with a hand-written one.

Usage: mark-implemented.py NAME [NAME...]
       mark-implemented.py NAME="One-line description in our own words." ...
"""
import os
import sys

TSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources",
                   "org", "smarthost", "config", "parameters.tsv")

def main():
    wanted = {}
    for arg in sys.argv[1:]:
        name, _, desc = arg.partition("=")
        wanted[name] = desc or None
    if not wanted:
        sys.exit(__doc__)
    lines = open(TSV, encoding="utf-8").read().splitlines()
    seen = set()
    for i, line in enumerate(lines):
        if line.startswith("#"):
            continue
        f = line.split("\t")
        if f[0] in wanted:
            seen.add(f[0])
            flags = [x for x in f[2].split(",") if x and x != "-"]
            if "impl" not in flags:
                flags.insert(0, "impl")
            f[2] = ",".join(flags)
            if wanted[f[0]]:
                f[4] = wanted[f[0]]
            else:
                f[4] = f[4].replace(" (not implemented by smarthost yet)", "")
            lines[i] = "\t".join(f)
    missing = set(wanted) - seen
    if missing:
        sys.exit("not Postfix 3.7 parameters: " + ", ".join(sorted(missing)))
    open(TSV, "w", encoding="utf-8").write("\n".join(lines) + "\n")

main()
