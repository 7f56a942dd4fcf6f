#!/usr/bin/python3
"""Runs docs/report.md's Python reader of histograms on real reports: for every phase of every
run, its percentile() must give the report's own latency_us figures (p50, p90, p99, p99.9).

Usage: check_report_snippet.py REPORT_MD REPORT [REPORT...] (plain or gzip-compressed reports);
exit 0 when every figure agrees, 1 naming each that does not.
"""
import gzip
import json
import re
import sys


def load(path):
    with open(path, "rb") as report_file:
        data = report_file.read()
    return json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)


def main() -> int:
    doc_path, *reports = sys.argv[1:]
    with open(doc_path, encoding="utf-8") as doc:
        blocks = re.findall(r"```python\n(.*?)```", doc.read(), re.S)
    snippet = next(block for block in blocks if "def percentile" in block)
    # The snippet ends by reading its own example file; only its functions are wanted here.
    definitions = snippet.split("\nrun = ")[0]
    namespace = {}
    exec(definitions, namespace)  # noqa: S102 - the project's own documentation
    percentile = namespace["percentile"]
    mismatches = 0
    for path in reports:
        for run in load(path)["runs"]:
            for phase, histogram in run["histograms"].items():
                if phase == "unit" or not histogram["count"]:
                    continue
                for key, percent in (("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9)):
                    expected = run["latency_us"][phase][key]
                    got = round(percentile(histogram, percent) / 1000, 3)
                    if abs(got - expected) > 0.0005:
                        mismatches += 1
                        print(f"{path}: {run['name']} {phase} {key}: docs/report.md's reader "
                              f"gives {got}, the report {expected}", file=sys.stderr)
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
