"""The comparisons of issues #6 (1-5), #17 (6-7, TLS) and #22 (3's latency mode): what each tool runs, which figures it
yields, and the target tcpharness must reach against its peer."""

from dataclasses import dataclass, field

from processes import process_cpu

KEEP_ALIVE_CONNECTIONS = 50
PER_REQUEST_CONNECTIONS = 16
BODY_BYTES = 64            # HTTP response body, the embedded server's default
ECHO_BYTES = 64
STREAM_WRITE_BYTES = 131072   # iperf3's default TCP write (-l 128K)
STREAM_BUFFER_BYTES = 1048576  # -w: SO_SNDBUF and SO_RCVBUF on both ends, under net.core.*mem_max
ECHO_WARMUP_S = 0.4        # sockperf's own warm-up before it measures


@dataclass
class Metric:
    key: str
    label: str
    unit: str
    higher_is_better: bool = True
    # Ratio tcpharness / peer it must reach: at least this when higher is better, else at most.
    target: float | None = None
    # A target of its own for one of tcpharness's tools (its name -> ratio), over `target`.
    tool_targets: dict = field(default_factory=dict)

    def target_for(self, tool):
        return self.tool_targets.get(tool, self.target)


@dataclass
class Comparison:
    number: int
    title: str
    peer: str
    metrics: list
    tools: dict = field(default_factory=dict)  # tool name -> function(bench) -> {metric: value}
    note: str = ""


# None when there is nothing to divide by: the table's median skips it, JSON has it as null.
def per_cpu_s(requests, cpu_s):
    return requests / cpu_s if cpu_s > 0 else None


def per_request_us(cpu_s, requests):
    return cpu_s / requests * 1e6 if requests else None


def tcpharness_http(bench, connection, connections, tls=False):
    # Over TLS: TLS 1.3, no resumption (every new connection a full handshake), as ab and
    # s_time -new connect.
    target = bench.nginx.tls_url if tls else f"127.0.0.1:{bench.nginx.port}"
    run = bench.loads.tcpharness({"protocol": "http", "connection": connection,
                                  "connections": connections, "request_size": 0},
                                 bench.seconds, target=target)
    ok = run["requests"]["ok"]
    process = run["process_cpu"]
    return {"requests_per_s": run["throughput"]["requests_per_s"],
            "requests_per_client_cpu_s": per_cpu_s(ok, run["cpu"]["client_s"]),
            "requests": ok, "client_cpu_s": run["cpu"]["client_s"],
            "process_cpu_s": process.total_s,
            "client_user_us_per_request": per_request_us(process.user_s, ok),
            "client_system_us_per_request": per_request_us(process.system_s, ok),
            "errors": run["requests"]["error_total"]}


def with_client_efficiency(figures):
    requests = figures["requests"]
    figures["requests_per_client_cpu_s"] = per_cpu_s(requests, figures["client_cpu_s"])
    figures["client_user_us_per_request"] = per_request_us(figures["client_user_s"], requests)
    figures["client_system_us_per_request"] = per_request_us(figures["client_system_s"], requests)
    return figures


def client_efficiency():
    c = Comparison(1, "client efficiency: HTTP/1.1 keep-alive, 50 connections, 1 client thread,"
                      " against nginx (1 worker)", peer="wrk",
                   metrics=[Metric("requests_per_client_cpu_s", "requests per client CPU-s",
                                   "req/CPU-s", target=1.5),
                            Metric("requests_per_s", "requests/s", "req/s", target=1.0),
                            Metric("client_user_us_per_request", "user CPU per request",
                                   "us", higher_is_better=False),
                            Metric("client_system_us_per_request", "system CPU per request",
                                   "us", higher_is_better=False)],
                   note="client CPU: tcpharness cpu.client_s (load thread, its own clock); "
                        "peers: user+system time of the whole process from wait4(2); "
                        "the user/system split is the whole process's for every tool")
    url = lambda bench: bench.nginx.url
    n = KEEP_ALIVE_CONNECTIONS
    c.tools = {
        "tcpharness": lambda bench: tcpharness_http(bench, "keep_alive", n),
        "wrk": lambda bench: with_client_efficiency(bench.loads.wrk(url(bench), n, bench.seconds)),
        "h2load": lambda bench: with_client_efficiency(
            bench.loads.h2load(url(bench), n, bench.seconds)),
        "ab -k": lambda bench: with_client_efficiency(
            bench.loads.ab(url(bench), n, bench.seconds, keep_alive=True)),
    }
    return c


def wrk_against(bench, server):
    before = process_cpu(server.worker_pid)
    figures = bench.loads.wrk(server.url, KEEP_ALIVE_CONNECTIONS, bench.seconds)
    after = process_cpu(server.worker_pid)
    user_s, system_s = after.user_s - before.user_s, after.system_s - before.system_s
    requests = figures["requests"]
    figures["server_cpu_s"] = user_s + system_s
    figures["requests_per_server_cpu_s"] = per_cpu_s(requests, figures["server_cpu_s"])
    figures["server_user_us_per_request"] = per_request_us(user_s, requests)
    figures["server_system_us_per_request"] = per_request_us(system_s, requests)
    return figures


def server_efficiency():
    c = Comparison(2, f"server efficiency: wrk -t1 -c{KEEP_ALIVE_CONNECTIONS} against each server,"
                      f" 1 thread, {BODY_BYTES}-byte body", peer="nginx",
                   metrics=[Metric("requests_per_server_cpu_s", "requests per server CPU-s",
                                   "req/CPU-s", target=1.3),
                            Metric("requests_per_s", "requests/s", "req/s"),
                            Metric("server_user_us_per_request", "user CPU per request", "us",
                                   higher_is_better=False),
                            Metric("server_system_us_per_request", "system CPU per request",
                                   "us", higher_is_better=False)],
                   note="server CPU: utime+stime from /proc/PID/stat before and after the load "
                        "(tcpharness serve: the whole process; nginx: its worker)")
    c.tools = {
        "tcpharness serve": lambda bench: wrk_against(bench, bench.serve_http),
        "nginx": lambda bench: wrk_against(bench, bench.nginx),
    }
    return c


def tcpharness_echo(bench, extra=None):
    run = bench.loads.tcpharness({"protocol": "echo", "connection": "keep_alive",
                                  "connections": 1, "request_size": ECHO_BYTES,
                                  "warmup_s": ECHO_WARMUP_S,
                                  "client": {"tcp_nodelay": True},
                                  "server": {"tcp_nodelay": True}, **(extra or {})},
                                 bench.seconds)
    total = run["latency_us"]["total"]
    figures = {"rtt_p50_us": total["p50"], "rtt_p99_us": total["p99"],
               "requests": run["requests"]["ok"], "errors": run["requests"]["error_total"]}
    if "timestamps" in run:  # the harness's own part of the round trip, from kernel timestamps
        figures["harness_p50_us"] = run["latency_us"]["harness"]["p50"]
        figures["harness_share_p50"] = run["timestamps"]["harness_share"]["p50"]
        figures["harness_share_p99"] = run["timestamps"]["harness_share"]["p99"]
    return figures


BUSY = "tcpharness busy"  # poll: busy, the latency mode of issue #22
# The same two with timestamps: true, which costs 1-2 us at p50, so the rows above stay clean.
SPLIT = "tcpharness split"
BUSY_SPLIT = "tcpharness busy split"


def round_trip_latency():
    c = Comparison(3, f"round-trip latency: {ECHO_BYTES}-byte echo ping-pong, 1 connection",
                   peer="sockperf",
                   metrics=[Metric("rtt_p50_us", "round trip p50", "us", higher_is_better=False,
                                   target=1.1,
                                   tool_targets={BUSY: 1.0, SPLIT: None, BUSY_SPLIT: None}),
                            Metric("rtt_p99_us", "round trip p99", "us",
                                   higher_is_better=False, tool_targets={BUSY: 1.0}),
                            Metric("harness_p50_us", "harness part p50", "us",
                                   higher_is_better=False),
                            Metric("harness_share_p50", "harness share p50", "fraction",
                                   higher_is_better=False),
                            Metric("harness_share_p99", "harness share p99", "fraction",
                                   higher_is_better=False)],
                   note="sockperf run with --full-rtt: its default output is half the round "
                        "trip (RTT/2); tcpharness: latency_us.total, embedded echo server; "
                        "tcpharness busy: both loops with poll: busy (each spins on its core); "
                        "split: with timestamps: true, the harness's part of each round trip "
                        "(send + receive, from kernel timestamps) and its share")

    def sockperf(bench):
        return bench.loads.sockperf_ping_pong(bench.sockperf_server.port, ECHO_BYTES,
                                              bench.seconds)

    c.tools = {"tcpharness": tcpharness_echo,
               BUSY: lambda bench: tcpharness_echo(bench, {"poll": "busy"}),
               SPLIT: lambda bench: tcpharness_echo(bench, {"timestamps": True}),
               BUSY_SPLIT: lambda bench: tcpharness_echo(bench, {"poll": "busy",
                                                                 "timestamps": True}),
               "sockperf": sockperf}
    return c


def connection_per_request():
    n = PER_REQUEST_CONNECTIONS
    c = Comparison(4, f"connection per request: HTTP, {n} concurrent, against nginx"
                      " (connections/s = requests/s)", peer="ab",
                   metrics=[Metric("requests_per_s", "connections/s", "conn/s",
                                   target=1.2),
                            Metric("requests_per_client_cpu_s", "connections per client CPU-s",
                                   "conn/CPU-s"),
                            Metric("client_user_us_per_request", "user CPU per connection",
                                   "us", higher_is_better=False),
                            Metric("client_system_us_per_request", "system CPU per connection",
                                   "us", higher_is_better=False)],
                   note="client CPU as in comparison 1: tcpharness cpu.client_s for connections "
                        "per CPU-s; the user/system split is the whole process's for both tools")
    c.tools = {
        "tcpharness": lambda bench: tcpharness_http(bench, "per_request", n),
        "ab": lambda bench: with_client_efficiency(
            bench.loads.ab(bench.nginx.url, n, bench.seconds, keep_alive=False)),
    }
    return c


def tcpharness_stream(bench):
    buffers = {"so_sndbuf": STREAM_BUFFER_BYTES, "so_rcvbuf": STREAM_BUFFER_BYTES}
    run = bench.loads.tcpharness({"protocol": "stream", "connections": 1,
                                  "request_size": STREAM_WRITE_BYTES, "warmup_s": 0,
                                  "client": buffers, "server": buffers}, bench.seconds)
    # What the server read, as iperf3's "receiver" line: with no warm-up every byte it read was
    # sent in the measured window (plus what the buffers held at its end).
    received_bits = run["throughput"]["server_bytes_received"] * 8
    return {"gbit_per_s": received_bits / run["duration_s"] / 1e9,
            "sent_gbit_per_s": run["throughput"]["bits_sent_per_s"] / 1e9,
            "errors": run["requests"]["error_total"]}


def bulk_throughput():
    c = Comparison(5, f"bulk throughput: 1 connection, {STREAM_WRITE_BYTES // 1024} KiB writes,"
                      f" SO_SNDBUF/SO_RCVBUF {STREAM_BUFFER_BYTES // 1024} KiB on both ends",
                   peer="iperf3",
                   metrics=[Metric("gbit_per_s", "received by the server", "Gbit/s",
                                   target=0.95)],
                   note="received by the server: iperf3 sum_received; tcpharness "
                        "server_bytes_received / duration_s (no warm-up)")

    def iperf3(bench):
        server = bench.start_iperf3_server()
        try:
            return bench.loads.iperf3(server.port, STREAM_WRITE_BYTES, STREAM_BUFFER_BYTES,
                                      bench.seconds)
        finally:
            bench.group.stop(server.child)

    c.tools = {"tcpharness": tcpharness_stream, "iperf3": iperf3}
    return c


def https_client_efficiency():
    n = KEEP_ALIVE_CONNECTIONS
    c = Comparison(6, f"HTTPS client efficiency: keep-alive over TLS 1.3, {n} connections,"
                      " 1 client thread, against nginx with ssl (1 worker)", peer="wrk",
                   metrics=[Metric("requests_per_client_cpu_s", "requests per client CPU-s",
                                   "req/CPU-s", target=1.1),
                            Metric("requests_per_s", "requests/s", "req/s"),
                            Metric("client_user_us_per_request", "user CPU per request",
                                   "us", higher_is_better=False),
                            Metric("client_system_us_per_request", "system CPU per request",
                                   "us", higher_is_better=False)],
                   note="client CPU as in comparison 1")
    url = lambda bench: bench.nginx.tls_url
    c.tools = {
        "tcpharness": lambda bench: tcpharness_http(bench, "keep_alive", n, tls=True),
        "wrk": lambda bench: with_client_efficiency(bench.loads.wrk(url(bench), n, bench.seconds)),
        "h2load --h1": lambda bench: with_client_efficiency(
            bench.loads.h2load(url(bench), n, bench.seconds)),
    }
    return c


def tls_connection_per_request():
    n = PER_REQUEST_CONNECTIONS
    c = Comparison(7, f"a new TLS 1.3 connection per request, full handshakes, {n} concurrent"
                      " (s_time: 1), against nginx with ssl", peer="ab",
                   metrics=[Metric("requests_per_client_cpu_s", "handshakes per client CPU-s",
                                   "conn/CPU-s", target=1.2),
                            Metric("requests_per_s", "handshakes/s", "conn/s"),
                            Metric("client_user_us_per_request", "user CPU per handshake",
                                   "us", higher_is_better=False),
                            Metric("client_system_us_per_request", "system CPU per handshake",
                                   "us", higher_is_better=False)],
                   note="each connection: TCP connect, a full TLS 1.3 handshake (ECDSA P-256, "
                        "x25519), GET /; client CPU as in comparison 1")
    c.tools = {
        "tcpharness": lambda bench: tcpharness_http(bench, "per_request", n, tls=True),
        "ab": lambda bench: with_client_efficiency(
            bench.loads.ab(bench.nginx.tls_url, n, bench.seconds, keep_alive=False)),
        "openssl s_time": lambda bench: with_client_efficiency(
            bench.loads.s_time(bench.nginx.tls_port, bench.seconds)),
    }
    return c


def all_comparisons():
    return [client_efficiency(), server_efficiency(), round_trip_latency(),
            connection_per_request(), bulk_throughput(), https_client_efficiency(),
            tls_connection_per_request()]
