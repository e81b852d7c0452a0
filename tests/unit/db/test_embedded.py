"""Stopping the embedded server: a server this process started is reaped, not waited for."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from learner_graph.db import embedded


def test_stopping_a_server_this_process_started_returns_once_it_exits(tmp_path: Path) -> None:
    child = subprocess.Popen(["sleep", "60"])  # stands in for the JVM: ends on SIGTERM
    instance = embedded.Instance(port=1, data_dir=tmp_path)
    instance.pid_file.write_text(str(child.pid))
    started = time.monotonic()
    assert embedded.stop(instance, timeout_s=30)
    # An exited child stays a zombie (signal 0 still finds it) until reaped: stop reaps it instead
    # of waiting out timeout_s and sending SIGKILL.
    assert time.monotonic() - started < 10
    assert child.poll() is not None and not instance.pid_file.exists()
    assert not embedded.stop(instance)  # nothing left to stop
