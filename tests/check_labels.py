#!/usr/bin/env python3
"""Checks that every ctest test of a configured build has labels, and only the five allowed.

Reads what ctest says about the tests, from a file or stdin, in either form:

    ctest --show-only=json-v1 > tests.json  &&  check_coverage.py tests.json
    ctest -N -V | check_coverage.py

Fails (exit 1), naming each test, when a test has no label, a label outside
unit/loopback/root/peers/slow, `slow` alone, `unit` beside `loopback` or `root` (a test either
opens sockets or does not), or when two tests share a name (two groups' filters both matched it:
it would run twice). Exit 2 when the input is neither form or lists no test at all.
"""
import argparse
import collections
import json
import re
import sys

ALLOWED = {"unit", "loopback", "root", "peers", "slow"}
KINDS = {"unit", "loopback", "root", "peers"}  # what a test needs; `slow` is only added to one


def tests_from_json(text):
    document = json.loads(text)
    tests = []
    for test in document.get("tests", []):
        labels = []
        for prop in test.get("properties", []):
            if prop.get("name") == "LABELS":
                value = prop.get("value", [])
                labels = value if isinstance(value, list) else [value]
        tests.append((test["name"], labels))
    return tests


def tests_from_text(text):
    """`ctest -N -V`: a "Labels: a b" line comes before the "Test #N: name" line of its test."""
    tests = []
    labels = []
    for line in text.splitlines():
        match = re.match(r"^Labels:\s*(.*)$", line)
        if match:
            labels = match.group(1).split()
            continue
        match = re.match(r"^\s*Test\s+#\d+:\s+(.+?)\s*$", line)
        if match:
            tests.append((match.group(1), labels))
            labels = []
    return tests


def problems_of(tests):
    problems = []
    counts = collections.Counter(name for name, _ in tests)
    for name, count in sorted(counts.items()):
        if count > 1:
            problems.append(f"{name}: registered {count} times (filters of two groups overlap)")
    for name, labels in tests:
        found = set(labels)
        if not found:
            problems.append(f"{name}: no label")
            continue
        unknown = sorted(found - ALLOWED)
        if unknown:
            problems.append(f"{name}: label(s) {', '.join(unknown)} not among "
                            f"{', '.join(sorted(ALLOWED))}")
        if not found & KINDS:
            problems.append(f"{name}: {' '.join(labels)} says nothing of what it needs "
                            "(unit, loopback, root or peers)")
        if "unit" in found and found & {"loopback", "root"}:
            problems.append(f"{name}: unit together with {' '.join(sorted(found & {'loopback', 'root'}))}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", nargs="?", help="ctest output (default: stdin)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary when all is well")
    arguments = parser.parse_args()
    text = open(arguments.input).read() if arguments.input else sys.stdin.read()
    stripped = text.lstrip()
    try:
        tests = tests_from_json(stripped) if stripped.startswith("{") else tests_from_text(text)
    except (ValueError, KeyError) as error:
        print(f"check_coverage: cannot read the ctest output: {error}", file=sys.stderr)
        return 2
    if not tests:
        print("check_coverage: no test found in the input (ctest -N -V or --show-only=json-v1)",
              file=sys.stderr)
        return 2
    problems = problems_of(tests)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check_coverage: {len(problems)} problem(s) in {len(tests)} tests", file=sys.stderr)
        return 1
    if not arguments.quiet:
        combos = collections.Counter(";".join(sorted(labels)) for _, labels in tests)
        summary = ", ".join(f"{combo} {count}" for combo, count in sorted(combos.items()))
        print(f"check_coverage: {len(tests)} tests, all labelled: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
