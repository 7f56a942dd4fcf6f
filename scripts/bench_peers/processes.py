"""Child processes of a benchmark: started in their own process group, bounded in time, and all
stopped at the end (also on Ctrl-C), plus the CPU figures read from the kernel."""

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass

CLK_TCK = os.sysconf("SC_CLK_TCK")


class MeasureError(Exception):
    """A tool did not run, or its output held no number: the benchmark's exit code says so."""


@dataclass
class ProcessCpu:
    """User and system CPU seconds of a process: one that has exited, from wait4(2), or the
    difference of two readings of a running one."""
    user_s: float
    system_s: float

    @property
    def total_s(self):
        return self.user_s + self.system_s

    def figures(self):
        return {"client_cpu_s": self.total_s, "client_user_s": self.user_s,
                "client_system_s": self.system_s}


class ProcessGroup:
    """Every process the benchmark starts; stop_all() ends each one's process group."""

    def __init__(self):
        self.children = []

    def start(self, argv, stdout, stderr=subprocess.STDOUT):
        # A session of its own: Ctrl-C in the terminal reaches only us, and we stop the children
        # in order (servers after loads) instead of racing them.
        child = subprocess.Popen(argv, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        self.children.append(child)
        return child

    def stop(self, child, grace_s=3.0):
        if child.returncode is None:
            try:
                os.killpg(child.pid, signal.SIGTERM)
                child.wait(timeout=grace_s)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        if child in self.children:
            self.children.remove(child)

    def stop_all(self):
        for child in reversed(list(self.children)):
            self.stop(child)

    def run(self, argv, log_path, timeout_s):
        """Runs a load to its end; returns (exit code, output, ProcessCpu).

        The CPU is the child's own user + system time from wait4(2), which covers every thread
        (and any process it forked), from exec to exit. A child still running after timeout_s is
        killed and reported as a failure, so no load outlives its bound."""
        with open(log_path, "wb") as log:
            child = self.start(argv, stdout=log)
        deadline = time.monotonic() + timeout_s
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid == child.pid:
                break
            if time.monotonic() > deadline:
                self.stop(child)
                raise MeasureError(f"{argv[0]} still running after {timeout_s:.0f} s; killed")
            time.sleep(0.02)
        # Reaped here, so Popen must not wait for it again.
        child.returncode = os.waitstatus_to_exitcode(status)
        self.children.remove(child)
        with open(log_path, "r", errors="replace") as log:
            output = log.read()
        return child.returncode, output, ProcessCpu(usage.ru_utime, usage.ru_stime)


def free_port():
    """A port the kernel considers free on 127.0.0.1 right now, for servers that cannot take 0."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_listener(port, child, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise MeasureError(f"server exited with code {child.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise MeasureError(f"nothing listens on 127.0.0.1:{port} after {timeout_s:.0f} s")


def process_cpu(pid):
    """utime and stime of a running process (all its threads) from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces; the fields after it start after the ')'.
        fields = stat.read().rsplit(")", 1)[1].split()
    return ProcessCpu(int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK)


def process_cpu_s(pid):
    """utime + stime of a running process (all its threads), in seconds."""
    return process_cpu(pid).total_s


def child_pids(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]
