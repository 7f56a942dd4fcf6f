#!/usr/bin/python3
"""Validates JSON files against a schema of docs/ (report, gbench, dashboard; JSON Schema 2020-12).

Usage: check_report_schema.py SCHEMA REPORT [REPORT...] (plain or gzip-compressed); exit 0 when
every report is valid.
"""
import gzip
import json
import sys

import jsonschema


def main() -> int:
    schema_path, *reports = sys.argv[1:]
    with open(schema_path, encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    validator = jsonschema.Draft202012Validator(schema)
    failures = 0
    for report_path in reports:
        with open(report_path, "rb") as report_file:
            data = report_file.read()
        report = json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
        for error in validator.iter_errors(report):
            failures += 1
            where = "/".join(str(part) for part in error.absolute_path)
            print(f"{report_path}: /{where}: {error.message}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
