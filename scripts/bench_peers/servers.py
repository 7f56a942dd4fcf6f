"""The servers the loads go to, each on 127.0.0.1, on a port taken from the kernel, pinned to the
server CPU with taskset."""

import os
import re
import subprocess
import time

from processes import MeasureError, child_pids, free_port, wait_for_listener

# The body the embedded HTTP server sends (harness/proto/http_response.cpp: a 64-character
# pattern repeated), so nginx answers with the same bytes.
BODY_PATTERN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

NGINX_CONF = """\
# Throw-away configuration written by scripts/bench-peers.
worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    server_tokens off;
    default_type application/octet-stream;
    keepalive_requests 1000000000;
    keepalive_timeout 300s;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        location / {{ return 200 "{body}"; }}
    }}
    server {{
        listen 127.0.0.1:{tls_port} ssl backlog=4096;
        ssl_certificate {tmp}/cert.pem;
        ssl_certificate_key {tmp}/key.pem;
        ssl_protocols TLSv1.3;
        location / {{ return 200 "{body}"; }}
    }}
}}
"""


class Server:
    def __init__(self, name, child, port, worker_pid, tls_port=None):
        self.name = name
        self.child = child
        self.port = port
        self.tls_port = tls_port  # nginx: the same answers over TLS 1.3
        # The process whose CPU is the server's: nginx's single worker, else the server itself.
        self.worker_pid = worker_pid

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    @property
    def tls_url(self):
        return f"https://127.0.0.1:{self.tls_port}/"


def pinned(cpu, argv):
    return ["taskset", "-c", str(cpu), *argv]


def start_nginx(group, tmp, body_bytes, cpu):
    body = (BODY_PATTERN * (body_bytes // len(BODY_PATTERN) + 1))[:body_bytes]
    # The TLS listener's certificate: ECDSA P-256, as tcpharness serve --tls makes its own.
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-keyout", f"{tmp}/key.pem", "-out",
                    f"{tmp}/cert.pem", "-days", "1", "-nodes", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    # A port from the kernel can be taken by someone else before nginx binds it: try again.
    for attempt in range(3):
        port, tls_port = free_port(), free_port()
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as out:
            out.write(NGINX_CONF.format(tmp=tmp, port=port, tls_port=tls_port, body=body))
        log = open(os.path.join(tmp, "nginx.out"), "ab")
        child = group.start(pinned(cpu, ["nginx", "-p", tmp, "-e", f"{tmp}/nginx-error.log",
                                         "-c", conf]), stdout=log)
        log.close()
        try:
            wait_for_listener(port, child)
        except MeasureError:
            group.stop(child)
            if attempt == 2:
                raise MeasureError("nginx did not start: " + tail(f"{tmp}/nginx-error.log"))
            continue
        workers = child_pids(child.pid)
        if len(workers) != 1:
            raise MeasureError(f"nginx has {len(workers)} worker processes, expected 1")
        return Server("nginx", child, port, workers[0], tls_port)


def start_tcpharness_serve(group, tmp, binary, protocol, response_size, cpu):
    # serve takes port 0 and prints the port the kernel chose; --cpus pins its loop thread,
    # taskset the rest of the process. TCP_NODELAY as nginx sets it (tcp_nodelay on).
    log_path = os.path.join(tmp, f"serve-{protocol}.out")
    log = open(log_path, "wb")
    child = group.start(pinned(cpu, [binary, "serve", "--protocol", protocol, "--threads", "1",
                                     "--port", "0", "--response-size", str(response_size),
                                     "--tcp-nodelay", "true", "--cpus", str(cpu)]),
                        stdout=log, stderr=subprocess.STDOUT)
    log.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", read(log_path))
        if match:
            return Server("tcpharness serve", child, int(match.group(1)), child.pid)
        if child.poll() is not None:
            break
        time.sleep(0.05)
    group.stop(child)
    raise MeasureError("tcpharness serve did not print its port: " + read(log_path)[-300:])


def start_sockperf_server(group, tmp, cpu):
    port = free_port()
    log = open(os.path.join(tmp, "sockperf-server.out"), "wb")
    child = group.start(pinned(cpu, ["sockperf", "server", "--tcp", "-i", "127.0.0.1",
                                     "-p", str(port)]), stdout=log)
    log.close()
    wait_for_listener(port, child)
    return Server("sockperf server", child, port, child.pid)


def start_iperf3_server(group, tmp, cpu):
    # -1: serve one test and exit; a new server per trial keeps trials independent. No probe
    # connection here: iperf3 would take it for the one test.
    port = free_port()
    log = open(os.path.join(tmp, "iperf3-server.out"), "wb")
    child = group.start(pinned(cpu, ["iperf3", "-s", "-1", "-B", "127.0.0.1", "-p", str(port)]),
                        stdout=log)
    log.close()
    deadline = time.monotonic() + 10
    while f":{port:04X} 00000000:0000 0A" not in read("/proc/net/tcp"):
        if child.poll() is not None or time.monotonic() > deadline:
            group.stop(child)
            raise MeasureError("iperf3 -s did not listen: " + read(log.name)[-300:])
        time.sleep(0.05)
    return Server("iperf3 -s", child, port, child.pid)


def read(path):
    with open(path, errors="replace") as text:
        return text.read()


def tail(path):
    try:
        return read(path)[-300:].strip()
    except OSError as error:
        return str(error)
