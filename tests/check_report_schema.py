#!/usr/bin/python3
"""Validates tcpharness reports against docs/report.schema.json (JSON Schema 2020-12).

Usage: check_report_schema.py SCHEMA REPORT [REPORT...]; exit 0 when every report is valid.
"""
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
        with open(report_path, encoding="utf-8") as report_file:
            report = json.load(report_file)
        for error in validator.iter_errors(report):
            failures += 1
            where = "/".join(str(part) for part in error.absolute_path)
            print(f"{report_path}: /{where}: {error.message}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
