"""The figures in each peer's output, as a dict; output without them raises MeasureError (the
tool ran but said nothing usable, which the benchmark counts as a failure)."""

import json
import re

from processes import MeasureError


def parse_wrk(output, code):
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    errors += int(first(r"Non-2xx or 3xx responses: (\d+)", output) or 0)
    return {"requests_per_s": number(r"Requests/sec:\s+([\d.]+)", output, "wrk", code),
            "requests": number(r"(\d+) requests in", output, "wrk", code), "errors": errors}


def parse_h2load(output, code):
    return {"requests_per_s": number(r"finished in [\d.]+\w*, ([\d.]+) req/s", output, "h2load",
                                     code),
            "requests": number(r"requests: .*?(\d+) succeeded", output, "h2load", code),
            "errors": int(first(r"requests: .*?(\d+) failed", output) or 0)}


def parse_ab(output, code):
    return {"requests_per_s": number(r"Requests per second:\s+([\d.]+)", output, "ab", code),
            "requests": number(r"Complete requests:\s+(\d+)", output, "ab", code),
            "errors": int(first(r"Failed requests:\s+(\d+)", output) or 0)
            + int(first(r"Non-2xx responses:\s+(\d+)", output) or 0)}


def parse_s_time(output, code):
    """openssl s_time -new: "N connections in T real seconds" (each a full handshake and a GET).
    T is whole seconds, too coarse for a rate: the caller divides by the run's length."""
    return {"requests": number(r"(\d+) connections in \d+ real seconds", output, "s_time", code),
            "errors": 0}


def parse_sockperf(output, code):
    return {"rtt_p50_us": number(r"percentile 50\.000 =\s+([\d.]+)", output, "sockperf", code),
            "rtt_p99_us": number(r"percentile 99\.000 =\s+([\d.]+)", output, "sockperf", code)}


def parse_iperf3(output, code):
    """iperf3 -J: what the server received (its "receiver" line) and what the client sent."""
    try:
        end = json.loads(output)["end"]
        return {"gbit_per_s": end["sum_received"]["bits_per_second"] / 1e9,
                "sent_gbit_per_s": end["sum_sent"]["bits_per_second"] / 1e9}
    except (ValueError, KeyError, TypeError) as error:
        raise MeasureError(f"iperf3 exited with {code}, no result ({error!r}): "
                           + output.strip()[-300:])


def first(pattern, text):
    match = re.search(pattern, text)
    return match.group(1) if match else None


def number(pattern, text, tool, code):
    value = first(pattern, text)
    if value is None:
        raise MeasureError(f"{tool} exited with {code}; no /{pattern}/ in its output: "
                           + text.strip()[-300:])
    return float(value)
