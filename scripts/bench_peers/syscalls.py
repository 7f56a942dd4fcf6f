"""Syscalls per request of tcpharness and wrk under comparison 1's load, counted by strace -c -f.

strace slows the traced process several-fold, so the requests/s of these runs mean nothing; the
count per request does not depend on the speed (both tools make the same calls per request at
any rate, as long as each read finds one response)."""

import os

from comparisons import KEEP_ALIVE_CONNECTIONS

SECONDS = 2


def strace_counts(path):
    """{syscall: calls} from `strace -c -o PATH`; the 'total' row under the key 'total'."""
    counts = {}
    with open(path) as summary:
        for line in summary:
            fields = line.split()
            # Rows: % time, seconds, usecs/call, calls, [errors], syscall.
            if len(fields) >= 5 and fields[0].replace(".", "").isdigit():
                counts[fields[-1]] = int(fields[3])
    if "total" not in counts:
        raise ValueError(f"no total row in {path}")
    return counts


def per_request(counts, requests):
    top = sorted((n, name) for name, n in counts.items() if name != "total")[::-1][:5]
    return {"requests": requests, "syscalls_per_request": counts["total"] / requests,
            "epoll_ctl_per_request": counts.get("epoll_ctl", 0) / requests,
            "top": {name: n / requests for n, name in top}}


def measure(bench):
    results = {}
    for tool in ("tcpharness", "wrk"):
        path = os.path.join(bench.tmp, f"strace-{tool}.txt")
        wrap = ("strace", "-c", "-f", "-o", path)
        if tool == "tcpharness":
            run = bench.loads.tcpharness(
                {"protocol": "http", "connection": "keep_alive",
                 "connections": KEEP_ALIVE_CONNECTIONS, "request_size": 0},
                SECONDS, target=f"127.0.0.1:{bench.nginx.port}", wrap=wrap)
            requests = run["requests"]["ok"]
        else:
            requests = bench.loads.wrk(bench.nginx.url, KEEP_ALIVE_CONNECTIONS, SECONDS,
                                       wrap=wrap)["requests"]
        results[tool] = per_request(strace_counts(path), requests)
    return results


def print_summary(results, out):
    print("\nsyscalls per request (comparison 1's load under strace -c -f, "
          f"{SECONDS} s; the whole process, start-up included)", file=out)
    for tool, figures in results.items():
        top = ", ".join(f"{name} {n:.2f}" for name, n in figures["top"].items())
        print(f"  {tool:<11} {figures['syscalls_per_request']:5.2f} per request "
              f"(epoll_ctl {figures['epoll_ctl_per_request']:.2f}); {top}", file=out)
