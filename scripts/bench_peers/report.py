"""Medians, ratios to the peer and verdicts; the console table and the JSON file."""

import json
import math
import os
import statistics
import tempfile


def median(values):
    finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    return statistics.median(finite) if finite else None


def verdict(metric, ratio, tool="tcpharness"):
    """'met' or 'MISSED by N%' (how far the ratio falls short of the target, relative to it)."""
    target = metric.target_for(tool)
    if target is None or ratio is None:
        return None, ""
    if metric.higher_is_better:
        met = ratio >= target
        shortfall = (target - ratio) / target
    else:
        met = ratio <= target
        shortfall = (ratio - target) / target
    percent = shortfall * 100
    # One decimal near the target, so a near miss never reads "MISSED by 0%".
    return met, "met" if met else f"MISSED by {percent:.1f}%" if percent < 10 else \
        f"MISSED by {percent:.0f}%"


def build_rows(comparisons, trials):
    """trials: {(comparison number, tool): [figures dict or None per trial]} -> JSON rows."""
    rows = []
    for comparison in comparisons:
        for metric in comparison.metrics:
            peer_trials = trials[(comparison.number, comparison.peer)]
            # A figure only some tools give (the harness's share) is None for the others.
            peer_median = median([t.get(metric.key) for t in peer_trials if t])
            for tool in comparison.tools:
                values = [t.get(metric.key) if t else None
                          for t in trials[(comparison.number, tool)]]
                row = {"comparison": comparison.number, "title": comparison.title, "tool": tool,
                       "metric": metric.key, "unit": metric.unit, "trials": values,
                       "median": median(values), "peer": comparison.peer, "ratio_to_peer": None,
                       "target": None, "met": None}
                if tool != comparison.peer and row["median"] is not None and peer_median:
                    row["ratio_to_peer"] = row["median"] / peer_median
                if tool == "tcpharness" or tool.startswith("tcpharness "):
                    if metric.target_for(tool) is not None:
                        row["target"] = (">= " if metric.higher_is_better else "<= ") + \
                            f"{metric.target_for(tool):g}x {comparison.peer}"
                        row["met"], _ = verdict(metric, row["ratio_to_peer"], tool)
                rows.append(row)
    return rows


def fmt(value):
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def print_table(comparisons, rows, out):
    by_key = {(r["comparison"], r["tool"], r["metric"]): r for r in rows}
    header = f"  {'tool':<21} {'figure':<26} {'unit':<10} {'median':>9} {'trials min-max':>17} " \
             f"{'ratio':>6}  target: verdict"
    for comparison in comparisons:
        print(f"\n{comparison.number}. {comparison.title}; peer: {comparison.peer}", file=out)
        if comparison.note:
            print(f"   {comparison.note}", file=out)
        print(header, file=out)
        for metric in comparison.metrics:
            for tool in comparison.tools:
                row = by_key[(comparison.number, tool, metric.key)]
                finite = [v for v in row["trials"] if v is not None]
                if not finite and not row["target"]:
                    continue  # a figure this tool does not give (sockperf's harness share)
                spread = f"{fmt(min(finite))}-{fmt(max(finite))}" if len(finite) > 1 else ""
                ratio = f"{row['ratio_to_peer']:.2f}x" if row["ratio_to_peer"] else ""
                target = ""
                if row["target"]:
                    _, text = verdict(metric, row["ratio_to_peer"], tool)
                    target = f"{row['target']}: {text or 'no figure'}"
                print(f"  {tool:<21} {metric.label:<26} {metric.unit:<10} {fmt(row['median']):>9} "
                      f"{spread:>17} {ratio:>6}  {target}".rstrip(), file=out)


def finite_or_null(value):
    """The document with NaN and infinities as None: json.dump would write them as NaN, which
    strict JSON readers (a CI dashboard's) refuse."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite_or_null(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_null(item) for item in value]
    return value


def write_json_atomically(path, document):
    folder = os.path.dirname(path) or "."
    os.makedirs(folder, exist_ok=True)
    handle, temp_path = tempfile.mkstemp(prefix=".bench-peers-", suffix=".tmp", dir=folder)
    try:
        os.fchmod(handle, 0o644)  # mkstemp's 0600 would hide the results from other users
        with os.fdopen(handle, "w") as out:
            json.dump(finite_or_null(document), out, indent=2, sort_keys=True, allow_nan=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.rename(temp_path, path)
    except BaseException:
        os.unlink(temp_path)
        raise
