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
    none = {"installed": tmp_path / "none.jsa"}  # no installed archive (see the test below)
    # No archive: the server writes one at exit, and which jar it started with is noted beside it.
    assert embedded.class_data_sharing(instance, **none) == [f"-XX:ArchiveClassesAtExit={archive}"]
    noted = instance.class_archive_jar
    assert noted.read_text() == f"{embedded.JAR.stat().st_size} {embedded.JAR.stat().st_mtime_ns}"
    archive.write_bytes(b"archive")  # what that server wrote when it stopped
    assert embedded.class_data_sharing(instance, **none) == [f"-XX:SharedArchiveFile={archive}"]
    # Written by a server of another jar (started before a rebuild, stopped after it): the JVM would
    # refuse to map it and never write a new one, so it is removed and written again.
    noted.write_text("12438 1")
    assert embedded.class_data_sharing(instance, **none) == [f"-XX:ArchiveClassesAtExit={archive}"]
    assert not archive.exists()
    # An archive without a note (written before notes were kept) is not trusted either.
    archive.write_bytes(b"archive")
    noted.unlink()
    assert embedded.class_data_sharing(instance, **none) == [f"-XX:ArchiveClassesAtExit={archive}"]
    assert not archive.exists()


def test_a_new_data_directory_maps_the_installed_archive_of_the_same_jar(tmp_path: Path) -> None:
    instance = embedded.Instance(port=1, data_dir=tmp_path / "data")
    instance.data_dir.mkdir()
    installed = tmp_path / "classes.jsa"
    stamp = f"{embedded.JAR.stat().st_size} {embedded.JAR.stat().st_mtime_ns}"
    installed.write_bytes(b"archive")  # what `make install` wrote (neo4j archive), with its jar's note
    (tmp_path / "classes.jsa.jar").write_text(stamp)
    # Mapped, and none written at exit: the JVM cannot archive on top of a mapped dynamic archive.
    mapped = [f"-XX:SharedArchiveFile={installed}"]
    assert embedded.class_data_sharing(instance, installed=installed) == mapped
    assert not instance.class_archive_jar.exists()
    # A server's own archive (of this jar) comes first: it holds what that server's clients loaded.
    instance.class_archive.write_bytes(b"own")
    instance.class_archive_jar.write_text(stamp)
    own = [f"-XX:SharedArchiveFile={instance.class_archive}"]
    assert embedded.class_data_sharing(instance, installed=installed) == own
    # An installed archive of another jar (rebuilt since `make install`) is never mapped.
    instance.class_archive.unlink()
    (tmp_path / "classes.jsa.jar").write_text("12438 1")
    written = [f"-XX:ArchiveClassesAtExit={instance.class_archive}"]
    assert embedded.class_data_sharing(instance, installed=installed) == written


def test_the_short_run_flags_go_to_the_demo_server_only(tmp_path: Path) -> None:
    """C1 only (no C2 compiler threads): `make run`'s demo server, never the test or benchmark ones."""
    instance = embedded.Instance(port=7, data_dir=tmp_path)
    assert "-XX:TieredStopAtLevel=1" in embedded.SHORT_RUN_JVM
    assert embedded.jvm_options(instance, class_archive=False, short_run=False) == []
    assert embedded.jvm_options(instance, class_archive=False, short_run=True) == embedded.SHORT_RUN_JVM
    with_archive = embedded.jvm_options(instance, class_archive=True, short_run=False)
    assert len(with_archive) == 1 and with_archive[0].startswith("-XX:")
    assert not set(embedded.SHORT_RUN_JVM) & set(with_archive)
    common = {"classpath": "a.jar", "heap": "1g", "pagecache": "64m", "extra": ["--warmup", "w.json"]}
    command = embedded.java_command(instance, flags=embedded.SHORT_RUN_JVM, **common)
    options = command[: command.index(embedded.MAIN_CLASS)]
    assert set(embedded.SHORT_RUN_JVM) <= set(options)  # JVM options: before the main class
    assert command[-2:] == ["--warmup", "w.json"] and command[0] == "java" and "-Xmx1g" in options
