#!/usr/bin/python3
"""Draws tcpharness reports as PNG and SVG charts (Debian's python3-matplotlib).

Usage: plot.py REPORT [REPORT...] -o DIR     (or: tcpharness plot REPORT [REPORT...] -o DIR)

Writes, each as .png and .svg, named after the report (several reports: their names joined by
"-vs-"):
  <stem>-spectrum   latency by percentile for every run, on HdrHistogram's log scale (50%..99.999%)
  <stem>-timeline   requests/s and p99 latency per wall-clock second (when the report has timelines)
  <stem>-sweep-KEY  for each swept key: throughput and latency against the key's values, one line
                    per combination of the other swept keys (when the scenario has a sweep)
Several reports (base against new) are overlaid in each figure: one colour per run, one line
style per report (the first solid), each line named "report: run". Repetitions of a run are
pooled: histograms merged for the spectrum, median with min-max bars for sweeps. Reports may be
gzip-compressed. Exit 0 on success, 2 when a report cannot be read or matplotlib is missing.
"""
import argparse
import gzip
import json
import math
import os
import sys

try:
    import matplotlib

    matplotlib.use("Agg")  # files only; no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator
except ImportError:
    print("plot.py: needs matplotlib: apt-get install python3-matplotlib", file=sys.stderr)
    sys.exit(2)

# Percentiles are placed at -log10(1 - p): 90% at 1, 99% at 2, 99.9% at 3 ... as HdrHistogram's
# percentile distribution plots do, so the tail gets as much room as the body.
SPECTRUM_TICKS = [50, 90, 99, 99.9, 99.99, 99.999]


def fail(message):
    print(f"plot.py: {message}", file=sys.stderr)
    sys.exit(2)


def spectrum_x(percent):
    return -math.log10(1.0 - percent / 100.0)


def bucket_width(value, significant_digits):
    """Width of the histogram bucket holding `value`, as stats/histogram.cpp lays them out."""
    sub_bucket_count_magnitude = (2 * 10**significant_digits - 1).bit_length()
    sub_bucket_mask = (1 << sub_bucket_count_magnitude) - 1
    return 1 << max((value | sub_bucket_mask).bit_length() - sub_bucket_count_magnitude, 0)


def highest_equivalent(value, significant_digits):
    """Top of the histogram bucket holding `value`."""
    width = bucket_width(value, significant_digits)
    return value // width * width + width - 1


def non_empty_buckets(histogram):
    """(lowest value, count) of each non-empty bucket, from schema 2's runs of consecutive counts
    ({"from", "counts"}, -k for k empty buckets) or schema 1's [value, count] pairs."""
    buckets = histogram["buckets"]
    if isinstance(buckets, list):
        yield from ((value, count) for value, count in buckets)
        return
    digits = histogram["significant_digits"]
    low = buckets["from"]
    for count in buckets["counts"]:
        if count > 0:
            yield low, count
        for _ in range(-count if count < 0 else 1):
            low += bucket_width(low, digits)


class Pooled:
    """A run's histogram, merged over its repetitions (buckets add exactly)."""

    def __init__(self):
        self.counts = {}
        self.total = 0
        self.digits = 3
        self.min = None
        self.max = 0

    def add(self, histogram):
        self.digits = histogram["significant_digits"]
        for value, count in non_empty_buckets(histogram):
            self.counts[value] = self.counts.get(value, 0) + count
            self.total += count
        if histogram["count"]:
            low = histogram["min"]
            self.min = low if self.min is None else min(self.min, low)
            self.max = max(self.max, histogram["max"])

    def percentile_ns(self, percent):
        """Nearest rank, reported as the top of its bucket clamped to [min, max]."""
        rank = max(1, math.ceil(percent / 100.0 * self.total - 1e-9))
        seen = 0
        for value in sorted(self.counts):
            seen += self.counts[value]
            if seen >= rank:
                top = highest_equivalent(value, self.digits)
                return min(max(top, self.min), self.max)
        return self.max


def group_runs(report):
    """Run name -> its repetitions, in order of first appearance."""
    groups = {}
    for run in report["runs"]:
        groups.setdefault(run["name"], []).append(run)
    return groups


class Source:
    """One report being drawn: its name in legends and file names, its runs grouped by name."""

    LINE_STYLES = ["-", "--", ":", "-."]
    STYLE_NAMES = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dash-dot"}

    def __init__(self, path, report, index, several):
        name = os.path.basename(path)
        for suffix in (".gz", ".json"):
            name = name[: -len(suffix)] if name.endswith(suffix) else name
        self.stem = name
        self.report = report
        self.groups = group_runs(report)
        self.style = self.LINE_STYLES[index % len(self.LINE_STYLES)]
        self.several = several

    def label(self, run_label):
        return f"{self.stem}: {run_label}" if self.several else run_label


class Colours:
    """One colour per run name, the same in every report, so base and new of a run pair up."""

    def __init__(self):
        self.by_name = {}
        self.cycle = plt.rcParams["axes.prop_cycle"].by_key()["color"]

    def __call__(self, name):
        if name not in self.by_name:
            self.by_name[name] = self.cycle[len(self.by_name) % len(self.cycle)]
        return self.by_name[name]


def plain_log_scale(axes):
    """Log y axis labelled 0.2, 0.5, 1, 2, 5 ... in plain numbers rather than powers of ten."""
    axes.set_yscale("log")
    axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))

    def minor(value, _):
        leading = f"{value:.0e}"[0]
        return f"{value:g}" if leading in "25" else ""

    axes.yaxis.set_minor_formatter(FuncFormatter(minor))


def legend(axes, count):
    if count > 8:
        axes.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        axes.legend(fontsize="small")


def save(figure, out_dir, stem, kind, written):
    for extension in ("png", "svg"):
        path = os.path.join(out_dir, f"{stem}-{kind}.{extension}")
        figure.savefig(path, dpi=120, bbox_inches="tight")
        written.append(path)
    plt.close(figure)


def title_of(sources, what):
    if len(sources) == 1:
        report = sources[0].report
        scenario = report["scenario"].get("name", "")
        host = report["host"].get("hostname", "")
        return f"{scenario}: {what}\n{report.get('started_at', '')} on {host}"
    scenarios = sorted({source.report["scenario"].get("name", "") for source in sources})
    lines = ", ".join(f"{source.stem} ({Source.STYLE_NAMES[source.style]})" for source in sources)
    return f"{' / '.join(scenarios)}: {what}\n{lines}"


def plot_spectrum(sources, out_dir, stem, written):
    pooled = []
    for source in sources:
        for name, runs in source.groups.items():
            histogram = Pooled()
            for run in runs:
                histogram.add(run["histograms"]["total"])
            if histogram.total:
                pooled.append((source, name, histogram, len(runs)))
    if not pooled:
        print("plot.py: no request latency in these reports (streams?): no spectrum", file=sys.stderr)
        return
    # 200 points from 50% up to the percentile the samples can resolve (at most 99.999%).
    figure, axes = plt.subplots(figsize=(10, 6))
    colours = Colours()
    lows, highs = [], []
    for source, name, histogram, repetitions in pooled:
        top = min(99.999, 100.0 * (1.0 - 1.0 / max(histogram.total, 2)))
        top = max(top, 50.0)
        steps = 200
        xs, ys = [], []
        for step in range(steps + 1):
            x = spectrum_x(50) + (spectrum_x(top) - spectrum_x(50)) * step / steps
            percent = 100.0 * (1.0 - 10.0**-x)
            xs.append(x)
            ys.append(histogram.percentile_ns(percent) / 1e6)
        lows.append(min(ys))
        highs.append(max(ys))
        label = name if repetitions == 1 else f"{name} ({repetitions} repetitions pooled)"
        axes.plot(xs, ys, label=source.label(label), linewidth=1.5, linestyle=source.style,
                  color=colours(name))
    axes.xaxis.set_major_locator(FixedLocator([spectrum_x(p) for p in SPECTRUM_TICKS]))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{100 * (1 - 10**-x):.10g}%"))
    axes.xaxis.set_minor_locator(NullLocator())
    axes.set_xlim(spectrum_x(50), spectrum_x(99.999))
    if min(lows) > 0 and max(highs) / min(lows) > 20:
        plain_log_scale(axes)  # Nagle's 40 ms next to 0.05 ms needs decades
    axes.set_xlabel("percentile (HdrHistogram log scale)")
    axes.set_ylabel("request latency (ms)")
    axes.set_title(title_of(sources, "latency by percentile"))
    axes.grid(True, which="both", alpha=0.3)
    legend(axes, len(pooled))
    save(figure, out_dir, stem, "spectrum", written)


def per_second_of_window(entry, stream):
    """A second's rate over the part of it the measured window covers (covered_s), so the partial
    first and last seconds are neither a ramp nor a dip; NaN (a gap) for a sliver or warm-up.
    Reports written before covered_s existed give the plain count."""
    covered = entry.get("covered_s", 1.0)
    if covered < 0.05:
        return math.nan
    amount = entry["bytes_sent"] * 8 / 1e6 if stream else entry["requests_ok"]
    return amount / covered


def plot_timeline(sources, out_dir, stem, written):
    lines = [(source, run) for source in sources
             for group in source.groups.values() for run in group if run.get("timeline")]
    if not lines:
        print("plot.py: no per-second timeline in these reports: no timeline chart", file=sys.stderr)
        return
    stream = any(source.report["scenario"].get("protocol") == "stream" for source in sources)
    has_latency = any(entry.get("p99_us") for _, run in lines for entry in run["timeline"])
    panels = 2 if has_latency else 1
    figure, axes_list = plt.subplots(panels, 1, figsize=(10, 4 * panels), sharex=True,
                                     squeeze=False)
    rate_axes = axes_list[0][0]
    colours = Colours()
    for source, run in lines:
        timeline = run["timeline"]
        start = timeline[0]["t_unix_s"]
        xs = [entry["t_unix_s"] - start for entry in timeline]
        label = run["name"]
        if len(source.groups[run["name"]]) > 1:
            label += f" #{run.get('repetition_index', 0) + 1}"
        style = {"color": colours(run["name"]), "linestyle": source.style}
        rates = [per_second_of_window(entry, stream) for entry in timeline]
        rate_axes.plot(xs, rates, marker=".", label=source.label(label), **style)
        # Partial seconds (the first and last) are rates too, drawn hollow so they read as such.
        partial = [(x, rate) for x, rate, entry in zip(xs, rates, timeline)
                   if 0 < entry.get("covered_s", 1) < 1 and not math.isnan(rate)]
        if partial:
            rate_axes.plot([x for x, _ in partial], [rate for _, rate in partial], linestyle="none",
                           marker="o", markerfacecolor="none", color=style["color"])
        if has_latency:
            latency_axes = axes_list[1][0]
            # A second without an answered request has no latency: a gap, not a zero.
            latency_axes.plot(xs, [entry["p99_us"] / 1000.0 if entry["requests_ok"] and
                                   entry["p99_us"] is not None else math.nan
                                   for entry in timeline], marker=".", label=source.label(label),
                              **style)
    rate_axes.set_ylabel("sent per second of the window (Mbit/s)" if stream
                         else "answered requests per second of the window (1/s)")
    if has_latency:
        axes_list[1][0].set_ylabel("p99 latency in that second (ms)")
    bottom = axes_list[-1][0]
    bottom.set_xlabel("wall-clock second since the run started (s)")
    bottom.xaxis.set_major_locator(MaxNLocator(integer=True))
    rate_axes.set_title(title_of(sources, "per-second timeline (hollow: a partial second's rate)"))
    for row in axes_list:
        row[0].grid(True, alpha=0.3)
        data = [y for line in row[0].get_lines() for y in line.get_ydata() if y > 0]
        if data and max(data) / min(data) > 20:
            plain_log_scale(row[0])
    legend(rate_axes, len(lines))
    save(figure, out_dir, stem, "timeline", written)


def format_value(key, value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and ("buf" in key or "size" in key) and value >= 1024:
        return f"{value // 1024} KiB" if value % 1024 == 0 else str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def sweep_metrics(sources):
    """(label with unit, function of a run) for the charts of a sweep."""
    stream = any(source.report["scenario"].get("protocol") == "stream" for source in sources)
    metrics = []
    if stream:
        metrics.append(("throughput sent (Mbit/s)", lambda run: run["throughput"]["bits_sent_per_s"] / 1e6))
    else:
        metrics.append(("requests per second (1/s)", lambda run: run["throughput"]["requests_per_s"]))
    has_latency = any(run["latency_us"]["total"]["count"]
                      for source in sources for run in source.report["runs"])
    if has_latency:
        metrics.append(("p50 latency (ms)", lambda run: run["latency_us"]["total"]["p50"] / 1000.0))
        metrics.append(("p99 latency (ms)", lambda run: run["latency_us"]["total"]["p99"] / 1000.0))
    return metrics


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def plot_sweep_key(sources, key, other_keys, out_dir, stem, written):
    values = []
    for source in sources:
        for runs in source.groups.values():
            value = runs[0]["params"].get(key)
            if key in runs[0]["params"] and value not in values:
                values.append(value)
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    positions = {json.dumps(v): (v if numeric else index) for index, v in enumerate(values)}
    metrics = sweep_metrics(sources)
    figure, axes_list = plt.subplots(len(metrics), 1, figsize=(9, 3.6 * len(metrics)), sharex=True,
                                     squeeze=False)
    lines = {}
    for source in sources:
        for runs in source.groups.values():
            params = runs[0]["params"]
            if key not in params:
                continue  # a report that did not sweep this key
            others = ", ".join(f"{k}={format_value(k, params.get(k))}" for k in other_keys)
            lines.setdefault((source.stem, others or "all runs"), (source, []))[1].append(runs)
    colours = Colours()
    for axes, (label, metric) in zip([row[0] for row in axes_list], metrics):
        for (_, line_label), (source, line_groups) in lines.items():
            points = sorted(line_groups, key=lambda runs: positions[json.dumps(runs[0]["params"].get(key))])
            xs, ys, below, above = [], [], [], []
            for runs in points:
                samples = [metric(run) for run in runs]
                middle = median(samples)
                xs.append(positions[json.dumps(runs[0]["params"].get(key))])
                ys.append(middle)
                below.append(middle - min(samples))
                above.append(max(samples) - middle)
            axes.errorbar(xs, ys, yerr=[below, above], marker="o", capsize=3,
                          label=source.label(line_label), linestyle=source.style,
                          color=colours(line_label))
        axes.set_ylabel(label)
        axes.grid(True, alpha=0.3)
        data = [y for line in axes.get_lines() for y in line.get_ydata()]
        if data and min(data) > 0 and max(data) / min(data) > 20:
            plain_log_scale(axes)  # 4 KiB buffers at tens of Mbit/s next to 1 MiB at Gbit/s
    bottom = axes_list[-1][0]
    if numeric:
        if min(values) > 0 and max(values) / min(values) >= 16:
            bottom.set_xscale("log", base=2)
        bottom.xaxis.set_major_locator(FixedLocator(values))
        bottom.xaxis.set_minor_locator(NullLocator())
        bottom.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_value(key, int(x)) if float(x).is_integer() else f"{x:g}"))
    else:
        bottom.xaxis.set_major_locator(FixedLocator(list(range(len(values)))))
        bottom.xaxis.set_major_formatter(FuncFormatter(lambda x, _: format_value(key, values[int(round(x))]) if 0 <= round(x) < len(values) else ""))
        bottom.set_xlim(-0.5, len(values) - 0.5)
    unit = " (bytes requested)" if ("buf" in key or "size" in key) else ""
    bottom.set_xlabel(f"{key}{unit}")
    repeated = any(len(runs) > 1 for source in sources for runs in source.groups.values())
    suffix = "; median, bars min-max over repetitions" if repeated else ""
    axes_list[0][0].set_title(title_of(sources, f"against {key}{suffix}"))
    legend(axes_list[0][0], len(lines))
    safe_key = "".join(c if c.isalnum() or c in "-_." else "_" for c in key)
    save(figure, out_dir, stem, f"sweep-{safe_key}", written)


def plot_sweeps(sources, out_dir, stem, written):
    keys = []
    for source in sources:
        sweep = source.report["scenario"].get("sweep") or {}
        keys += [key for key in sweep if len(sweep[key]) > 1 and key not in keys]
    for key in keys:
        plot_sweep_key(sources, key, [k for k in keys if k != key], out_dir, stem, written)


def read_report(path):
    try:
        with open(path, "rb") as report_file:
            data = report_file.read()
        report = json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data)
        if not isinstance(report["runs"], list):
            raise TypeError("runs is not a list")
        return report
    except (OSError, ValueError, KeyError, TypeError, EOFError) as error:
        fail(f"{path}: cannot read the report: {error}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", metavar="report")
    parser.add_argument("-o", "--out", required=True, help="folder for the charts")
    arguments = parser.parse_args()
    several = len(arguments.reports) > 1
    sources = [Source(path, read_report(path), index, several)
               for index, path in enumerate(arguments.reports)]
    os.makedirs(arguments.out, exist_ok=True)
    stem = "-vs-".join(source.stem for source in sources)
    written = []
    try:
        plot_spectrum(sources, arguments.out, stem, written)
        plot_timeline(sources, arguments.out, stem, written)
        plot_sweeps(sources, arguments.out, stem, written)
    except (KeyError, TypeError, ValueError) as error:
        fail(f"{' '.join(arguments.reports)}: unexpected report content: {error!r}")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
