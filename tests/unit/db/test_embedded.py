"""The embedded server's process: a server this process started is reaped, not waited for; its
class archive is mapped only when the launcher jar that wrote it is the one starting."""

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


def test_a_class_archive_is_mapped_only_when_written_with_the_jar_that_starts(tmp_path: Path) -> None:
    instance = embedded.Instance(port=1, data_dir=tmp_path)
    archive = instance.class_archive
    # No archive: the server writes one at exit, and which jar it started with is noted beside it.
    assert embedded.class_data_sharing(instance) == [f"-XX:ArchiveClassesAtExit={archive}"]
    noted = instance.class_archive_jar
    assert noted.read_text() == f"{embedded.JAR.stat().st_size} {embedded.JAR.stat().st_mtime_ns}"
    archive.write_bytes(b"archive")  # what that server wrote when it stopped
    assert embedded.class_data_sharing(instance) == [f"-XX:SharedArchiveFile={archive}"]
    # Written by a server of another jar (started before a rebuild, stopped after it): the JVM would
    # refuse to map it and never write a new one, so it is removed and written again.
    noted.write_text("12438 1")
    assert embedded.class_data_sharing(instance) == [f"-XX:ArchiveClassesAtExit={archive}"]
    assert not archive.exists()
    # An archive without a note (written before notes were kept) is not trusted either.
    archive.write_bytes(b"archive")
    noted.unlink()
    assert embedded.class_data_sharing(instance) == [f"-XX:ArchiveClassesAtExit={archive}"]
    assert not archive.exists()
