"""Helpers for tests that start a server process and talk to its port."""

from __future__ import annotations

import socket
import subprocess
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until_serving(port: int, process: subprocess.Popen, seconds: float, what: str) -> None:
    """Wait for ``process`` to answer on ``port``; fail when it exits or ``seconds`` pass first."""
    deadline = time.monotonic() + seconds
    while not serving(port):
        assert process.poll() is None, f"{what} exited with {process.returncode}"
        assert time.monotonic() < deadline, f"{what} did not answer on port {port} within {seconds:.0f} s"
        time.sleep(0.5)
