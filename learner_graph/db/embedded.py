"""Run Neo4j Community embedded (services/neo4j-embedded) in the background, without Docker."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Only the standard library at import: `cli/boot.py` starts the demo's JVM from here before the
# driver and the rest of the CLI are imported (the warm-up's statements are read when needed).
ROOT = Path(__file__).resolve().parents[2]  # config.PROJECT_ROOT, without importing the settings
STATE_DIR = ROOT / ".lg"
SERVICE_DIR = ROOT / "services" / "neo4j-embedded"
CYPHER_DIR = ROOT / "cypher"
MAIN_CLASS = "learnergraph.EmbeddedNeo4j"
JAR = SERVICE_DIR / "target" / "neo4j-embedded-1.0.0.jar"
INSTALLED_ARCHIVE = SERVICE_DIR / "target" / "classes.jsa"  # `make install`: install_class_archive
# `make run`'s demo server only (`start(short_run=True)`): see docs/BENCHMARKS.md, make run, round 11.
SHORT_RUN_JVM = ["-XX:TieredStopAtLevel=1"]
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
        return answers("127.0.0.1", self.port)


def answers(host: str, port: int, timeout_s: float = 0.5) -> bool:
    """Whether something accepts connections at `host:port` (a server's Bolt port, without the driver's
    retries)."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def build(*, quiet: bool = True) -> list[str]:
    """Compile the launcher once (Maven keeps the jars in its user cache); return the classpath."""
    jar = JAR
    classpath = SERVICE_DIR / "target" / "classpath.txt"
    sources = [SERVICE_DIR / "pom.xml", *SERVICE_DIR.glob("src/main/java/**/*.java")]
    fresh = (
        jar.exists() and classpath.exists() and all(jar.stat().st_mtime >= s.stat().st_mtime for s in sources)
    )
    if not fresh:
        command = ["mvn", "-B", "package", "-DskipTests"] + (["-q"] if quiet else [])
        done = subprocess.run(command, cwd=SERVICE_DIR, capture_output=quiet, text=True)
        if done.returncode != 0:
            raise EmbeddedError(f"maven build failed:\n{(done.stdout or '')[-4000:]}")
    # The jar, not target/classes: a class archive (class_data_sharing) takes jars only.
    return [str(jar), classpath.read_text().strip()]


def _jar_stamp() -> str:
    jar = JAR.stat()
    return f"{jar.st_size} {jar.st_mtime_ns}"


def _noted(archive: Path) -> Path:
    """Beside an archive: which launcher jar the server that wrote it started with."""
    return archive.with_name(archive.name + ".jar")


def written_with_this_jar(archive: Path) -> bool:
    """`archive` exists and the server that wrote it started with the launcher jar there now (a
    JVM maps no archive of other jars)."""
    noted = _noted(archive)
    return archive.exists() and noted.exists() and noted.read_text() == _jar_stamp()


def _warm_up(statements: Path) -> list[str]:
    """The launcher's options to plan the API's hot statements at its start (written to `statements`)."""
    from learner_graph.db import warm
    from learner_graph.db.queries import Queries

    statements.write_text(json.dumps(warm.statements(Queries.load(CYPHER_DIR))))
    return ["--warmup", str(statements)]


def class_data_sharing(instance: Instance, *, installed: Path | None = None) -> list[str]:
    """JVM options for an archive of the classes the server loaded the last time it ran (AppCDS):
    written when a run ends, mapped at the next start. A restarted server then skips loading and
    verifying the thousands of classes of Bolt and the Cypher planner that its first queries need
    (a cold restart's first statements were seconds each). A stale archive (other jars) is
    ignored by the JVM, which then never writes a new one: so the launcher jar a server starts with
    is noted beside the archive it will write, and an archive written by a server of another jar is
    removed (one started before a rebuild and stopped after it wrote an archive newer than the jar
    that no later start could map: "A jar file is not the one used while building the shared archive
    file", both starts of round 7's last faults run).

    A server without an archive of its own (a new data directory: every first `make run`) maps the
    installed one (`installed`, default `INSTALLED_ARCHIVE`: `make install` builds it, beside the
    jar, outside every data directory) if it was written with this jar, and writes none at exit
    (the JVM cannot archive on top of a mapped dynamic archive)."""
    archive = instance.class_archive
    if archive.exists() and not written_with_this_jar(archive):
        archive.unlink()
    if archive.exists():
        return [f"-XX:SharedArchiveFile={archive}"]
    installed = INSTALLED_ARCHIVE if installed is None else installed
    if written_with_this_jar(installed):
        return [f"-XX:SharedArchiveFile={installed}"]
    instance.class_archive_jar.write_text(_jar_stamp())
    return [f"-XX:ArchiveClassesAtExit={archive}"]


def install_class_archive(*, timeout_s: float = 240) -> bool:
    """Write `INSTALLED_ARCHIVE` (`make install`; False if it is there for this jar already): a
    throwaway server on an empty database (on a port the kernel finds free) plans the API's hot
    statements (the warm-up, which loads the Bolt, planner and runtime classes a first `make run`
    needs), then stops, and the JVM writes the classes it loaded. Seconds once, at install time;
    saved at every start on a new data directory."""
    build()
    if written_with_this_jar(INSTALLED_ARCHIVE):
        return False
    INSTALLED_ARCHIVE.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="neo4j-archive-") as scratch:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        instance = Instance(port=port, data_dir=Path(scratch))
        flags = [f"-XX:ArchiveClassesAtExit={INSTALLED_ARCHIVE}"]
        extra = _warm_up(Path(scratch) / "warmup.json")
        _run(instance, flags=flags, heap="1g", pagecache="64m", timeout_s=timeout_s, extra=extra)
        stop(instance, timeout_s=timeout_s)
    if not INSTALLED_ARCHIVE.exists():
        raise EmbeddedError(f"the JVM wrote no class archive at {INSTALLED_ARCHIVE}")
    _noted(INSTALLED_ARCHIVE).write_text(_jar_stamp())
    return True


def start(
    instance: Instance,
    *,
    heap: str = "2g",
    pagecache: str = "512m",
    timeout_s: float = 240,
    class_archive: bool = True,
    warm_up: bool = True,
    trace_plans: bool = False,
    short_run: bool = False,
) -> int:
    """Start the server in the background and return its pid once Bolt answers (no-op if running).
    `class_archive=False` neither maps nor writes one (a throwaway server: writing it makes the
    first stop tens of seconds longer). `warm_up`: a restarted server plans the clients' hot
    statements (`warm.statements`) on its cold JVM before Bolt opens, so the first clients after a
    restart do not wait seconds for their plans (it answers 10-20 s of CPU later; a new database is
    not warmed: applying the schema drops every plan). `trace_plans`: the server logs each statement
    a client sent that the warm-up had not prepared (`ROUTER CACHE MISS <its text, then its parameter
    types: 100 characters>`). `short_run`: the JIT flags of `SHORT_RUN_JVM` (`make run`'s demo
    server only: they trade steady-state speed for a short first minute)."""
    running = instance.pid()
    if running is not None and instance.bolt_answers():
        return running
    if instance.bolt_answers():
        raise EmbeddedError(f"port {instance.port} is already taken by another process")
    instance.data_dir.mkdir(parents=True, exist_ok=True)
    flags = jvm_options(instance, class_archive=class_archive, short_run=short_run)
    extra = []
    if warm_up and instance.has_database:  # a new database's plans are dropped with its schema
        extra += _warm_up(instance.warm_up_file)
    if trace_plans:
        extra.append("--trace-plans")
    return _run(instance, flags=flags, heap=heap, pagecache=pagecache, timeout_s=timeout_s, extra=extra)


def jvm_options(instance: Instance, *, class_archive: bool, short_run: bool) -> list[str]:
    """The JVM options `start` adds to the defaults: `SHORT_RUN_JVM` for `make run`'s demo server
    only, and the class archive to map or write (`class_data_sharing`) unless `class_archive=False`."""
    return [*(SHORT_RUN_JVM if short_run else []), *(class_data_sharing(instance) if class_archive else [])]


def java_command(
    instance: Instance, *, classpath: str, heap: str, pagecache: str, flags: list[str], extra: list[str]
) -> list[str]:
    """The launcher's command line: the JVM's options (`flags` after the defaults), then its own."""
    return [
        "java",
        f"-Xmx{heap}",
        "-XX:+UseG1GC",
        *flags,
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
        *extra,
    ]


def _run(
    instance: Instance, *, flags: list[str], heap: str, pagecache: str, timeout_s: float, extra: list[str]
) -> int:
    """Launch the server and return its pid once Bolt answers and it printed READY."""
    classpath = os.pathsep.join(build())
    command = java_command(
        instance, classpath=classpath, heap=heap, pagecache=pagecache, flags=flags, extra=extra
    )
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
