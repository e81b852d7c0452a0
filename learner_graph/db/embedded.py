"""Run Neo4j Community embedded (services/neo4j-embedded) in the background, without Docker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from learner_graph.config import PROJECT_ROOT
from learner_graph.db import warm
from learner_graph.db.queries import Queries

SERVICE_DIR = PROJECT_ROOT / "services" / "neo4j-embedded"
CYPHER_DIR = PROJECT_ROOT / "cypher"
MAIN_CLASS = "learnergraph.EmbeddedNeo4j"
JAR = SERVICE_DIR / "target" / "neo4j-embedded-1.0.0.jar"
JVM_OPENS = [
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]


class EmbeddedError(RuntimeError):
    """The embedded server could not be built, started or stopped."""


@dataclass(frozen=True)
class Instance:
    """One embedded server: a Bolt port and the directory holding its data, logs and pid."""

    port: int
    data_dir: Path

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "neo4j.pid"

    @property
    def class_archive(self) -> Path:
        return self.data_dir / "classes.jsa"

    @property
    def class_archive_jar(self) -> Path:
        """Which launcher jar the server that writes `class_archive` started with (`class_data_sharing`)."""
        return self.data_dir / "classes.jsa.jar"

    @property
    def has_database(self) -> bool:
        """Whether the default database was created by an earlier run."""
        return (self.data_dir / "data" / "databases" / "neo4j").is_dir()

    @property
    def warm_up_file(self) -> Path:
        return self.data_dir / "warmup.json"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "neo4j.out"

    def pid(self) -> int | None:
        """The server's process id if it is running."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    def bolt_answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False


def build(*, quiet: bool = True) -> list[str]:
    """Compile the launcher once (Maven keeps the jars in its user cache); return the classpath."""
    jar = JAR
    classpath = SERVICE_DIR / "target" / "classpath.txt"
    sources = [SERVICE_DIR / "pom.xml", *SERVICE_DIR.glob("src/main/java/**/*.java")]
    fresh = (
        jar.exists()
        and classpath.exists()
        and all(jar.stat().st_mtime >= s.stat().st_mtime for s in sources)
    )
    if not fresh:
        command = ["mvn", "-B", "package", "-DskipTests"] + (["-q"] if quiet else [])
        done = subprocess.run(command, cwd=SERVICE_DIR, capture_output=quiet, text=True)
        if done.returncode != 0:
            raise EmbeddedError(f"maven build failed:\n{(done.stdout or '')[-4000:]}")
    # The jar, not target/classes: a class archive (class_data_sharing) takes jars only.
    return [str(jar), classpath.read_text().strip()]


def class_data_sharing(instance: Instance) -> list[str]:
    """JVM options for an archive of the classes the server loaded the last time it ran (AppCDS):
    written when a run ends, mapped at the next start. A restarted server then skips loading and
    verifying the thousands of classes of Bolt and the Cypher planner that its first queries need
    (a cold restart's first statements were seconds each). A stale archive (other jars) is
    ignored by the JVM, which then never writes a new one: so the launcher jar a server starts with
    is noted beside the archive it will write, and an archive written by a server of another jar is
    removed (one started before a rebuild and stopped after it wrote an archive newer than the jar
    that no later start could map: "A jar file is not the one used while building the shared archive
    file", both starts of round 7's last faults run)."""
    archive = instance.class_archive
    noted = instance.class_archive_jar
    jar = JAR.stat()
    stamp = f"{jar.st_size} {jar.st_mtime_ns}"
    if archive.exists() and (not noted.exists() or noted.read_text() != stamp):
        archive.unlink()
    if archive.exists():
        return [f"-XX:SharedArchiveFile={archive}"]
    noted.write_text(stamp)
    return [f"-XX:ArchiveClassesAtExit={archive}"]


def start(
    instance: Instance,
    *,
    heap: str = "2g",
    pagecache: str = "512m",
    timeout_s: float = 240,
    class_archive: bool = True,
    warm_up: bool = True,
    trace_plans: bool = False,
) -> int:
    """Start the server in the background and return its pid once Bolt answers (no-op if running).
    `class_archive=False` neither maps nor writes one (a throwaway server: writing it makes the
    first stop tens of seconds longer). `warm_up`: a restarted server plans the clients' hot
    statements (`warm.statements`) on its cold JVM before Bolt opens, so the first clients after a
    restart do not wait seconds for their plans (it answers 10-20 s of CPU later; a new database is
    not warmed: applying the schema drops every plan). `trace_plans`: the server logs each statement
    a client sent that the warm-up had not prepared (`ROUTER CACHE MISS <its text, then its parameter
    types: 100 characters>`)."""
    running = instance.pid()
    if running is not None and instance.bolt_answers():
        return running
    if instance.bolt_answers():
        raise EmbeddedError(f"port {instance.port} is already taken by another process")
    classpath = os.pathsep.join(build())
    instance.data_dir.mkdir(parents=True, exist_ok=True)
    command = [
        "java",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        *(class_data_sharing(instance) if class_archive else []),
        *JVM_OPENS,
        "-cp",
        classpath,
        MAIN_CLASS,
        "--data",
        str(instance.data_dir),
        "--port",
        str(instance.port),
        "--pagecache",
        pagecache,
    ]
    if warm_up and instance.has_database:  # a new database's plans are dropped with its schema
        instance.warm_up_file.write_text(json.dumps(warm.statements(Queries.load(CYPHER_DIR))))
        command += ["--warmup", str(instance.warm_up_file)]
    if trace_plans:
        command.append("--trace-plans")
    logged = instance.log_file.stat().st_size if instance.log_file.exists() else 0
    with open(instance.log_file, "ab") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the shell that started it; never holds its pipes
        )
    instance.pid_file.write_text(str(process.pid))
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise EmbeddedError(
                f"neo4j exited with {process.returncode}; last log lines:\n{_tail(instance.log_file)}"
            )
        if instance.bolt_answers() and b"READY" in _read_from(instance.log_file, logged):
            return process.pid
        time.sleep(0.2)
    process.terminate()
    raise EmbeddedError(f"neo4j did not answer within {timeout_s:.0f}s:\n{_tail(instance.log_file)}")


def stop(instance: Instance, *, timeout_s: float = 60) -> bool:
    """Stop the server with SIGTERM (SIGKILL after `timeout_s`); False if it was not running."""
    pid = instance.pid()
    if pid is None:
        instance.pid_file.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if _exited(pid):
            break
        time.sleep(0.2)
    else:
        os.kill(pid, signal.SIGKILL)
        _exited(pid)
    instance.pid_file.unlink(missing_ok=True)
    return True


def _exited(pid: int) -> bool:
    """Whether the process `pid` has ended, reaping it if it is this process's child: a child that
    exited stays a zombie, which signal 0 still finds, until it is reaped (a benchmark that
    started the server waited the whole `timeout_s` for a JVM that had stopped in seconds)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return True
    except ChildProcessError:
        pass  # not our child: its parent reaps it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _read_from(path: Path, offset: int) -> bytes:
    """What this run wrote to the log (an earlier run's READY line is not this one's)."""
    with open(path, "rb") as log:
        log.seek(offset)
        return log.read()


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
