"""Several machines' topology on one machine, as plain processes (docs/scaling.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdca_cluster python scripts/cluster.py --s3

One PostgreSQL database (DATABASE_URL, migrated first), two web processes (gunicorn serving
pdca's production settings over plain HTTP on 8101 and 8102), two `pdca worker` processes,
and with `--s3` a moto S3 server holding the evidence bucket (PDCA_EVIDENCE_STORAGE=s3). It
prints the addresses, waits until /healthz answers on each web process, and stops everything
on Ctrl-C or SIGTERM: each process runs in a process group of its own, which is signalled,
waited for, and killed if it lingers.

Importable: `with Cluster(database_url, s3=True) as cluster: cluster.web_urls ...` is what
tests/test_cluster.py and `make bench-scale` use.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "pdca-evidence"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc), to reach `pdca worker`'s own workers,
    which run in sessions of their own."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its closing bracket.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path
    descendants: list[int] = field(default_factory=list)

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


class ClusterError(RuntimeError):
    pass


class Cluster:
    """The processes of several machines, on this one; a context manager.

    `web_urls` are the web processes' base addresses, `s3_endpoint` moto's (with `s3`), `env`
    the environment every process shares (the settings that must be identical on every
    machine), `var_dir` the temporary folder of their logs and static files.
    """

    def __init__(
        self,
        database_url: str | None = None,
        *,
        web: int = 2,
        web_workers: int = 1,
        workers: int = 2,
        s3: bool = False,
        ports: list[int] | None = None,
        migrate: bool = True,
        settings_module: str = "pdca.settings",
        env: dict[str, str] | None = None,
        static_root: str | Path | None = None,
        var_dir: str | Path | None = None,
        echo: bool = False,
    ) -> None:
        self.database_url = database_url or os.environ.get("DATABASE_URL", "")
        if not self.database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
            raise ClusterError(
                "The cluster shares one PostgreSQL database: set DATABASE_URL to one "
                "(e.g. postgres://postgres@127.0.0.1:5432/pdca_cluster)."
            )
        self.web = web
        self.web_workers = web_workers
        self.workers = workers
        self.s3 = s3
        self.ports = ports or [8101 + n for n in range(web)]
        if len(self.ports) != web:
            raise ClusterError(f"{web} web processes need {web} ports.")
        self.migrate = migrate
        self.echo = echo
        self.own_var = var_dir is None
        self.var_dir = Path(var_dir or tempfile.mkdtemp(prefix="pdca-cluster-"))
        self.static_root = Path(static_root or ROOT / "var" / "cluster-static")
        self.procs: list[Proc] = []
        self.s3_endpoint = ""
        self.web_urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        self.env = self._environment(settings_module, env or {})

    def _environment(self, settings_module: str, extra: dict[str, str]) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PDCA_", "DJANGO_")) and k != "DATABASE_URL"
        }
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": settings_module,
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(ROOT / "src"), str(ROOT), os.environ.get("PYTHONPATH")])
                ),
                "DATABASE_URL": self.database_url,
                # Identical on every machine: the key signs sessions and CSRF tokens.
                "PDCA_SECRET_KEY": os.environ.get("PDCA_SECRET_KEY") or secrets.token_urlsafe(50),
                "PDCA_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "PDCA_TASK_BACKEND": "database",
                "PDCA_VAR_DIR": str(self.var_dir),
                "PDCA_STATIC_ROOT": str(self.static_root),
                # Plain HTTP on one machine: no TLS redirect, HSTS or Secure-only cookies.
                "PDCA_SECURE_SSL_REDIRECT": "0",
                "PDCA_HSTS_SECONDS": "0",
                "PDCA_SECURE_COOKIES": "0",
                "PDCA_LOG_LEVEL": "WARNING",
                "PDCA_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            }
        )
        env.update(extra)
        return env

    # --- starting -------------------------------------------------------------------------

    def _start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> Proc:
        log = self.var_dir / f"{name}.log"
        handle = open(log, "ab")  # noqa: SIM115 - the child keeps it
        popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            args,
            cwd=ROOT,
            env=env or self.env,
            stdout=None if self.echo else handle,
            stderr=subprocess.STDOUT if not self.echo else None,
            start_new_session=True,  # a process group of its own, stopped as one
        )
        handle.close()
        proc = Proc(name, popen, log)
        self.procs.append(proc)
        return proc

    def _run(self, name: str, args: list[str]) -> None:
        result = subprocess.run(  # noqa: S603
            args, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=600
        )
        if result.returncode != 0:
            raise ClusterError(f"{name} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")

    def _static_stale(self) -> bool:
        """Whether the collected static files (kept between runs: compressing them takes most
        of a minute) are missing or older than a source file."""
        manifest = self.static_root / "staticfiles.json"
        if not manifest.exists():
            return True
        built = manifest.stat().st_mtime
        return any(
            path.stat().st_mtime > built
            for folder in (ROOT / "src" / "pdca").glob("*/static")
            for path in folder.rglob("*")
        )

    def _pdca(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "pdca.cli", *args]

    def start(self) -> Cluster:
        try:
            busy = [port for port in self.ports if not _port_free(port)]
            if busy:
                raise ClusterError(f"Ports already in use: {busy}.")
            if self.s3:
                self._start_s3()
            if self.migrate:
                self._run("migrate", self._pdca("manage", "migrate", "--no-input", "-v0"))
            if self._static_stale():
                self._run(
                    "collectstatic", self._pdca("manage", "collectstatic", "--no-input", "-v0")
                )
            for n, port in enumerate(self.ports):
                self._start(
                    f"web{n + 1}",
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "pdca.wsgi:application",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--workers",
                        str(self.web_workers),
                        "--graceful-timeout",
                        "10",
                        "--access-logfile",
                        "-",
                    ],
                )
            for n in range(self.workers):
                # Two `pdca worker`s as on two machines, each with one worker process; only the
                # first keeps the daily schedule (either could: the schedule runs once a day).
                args = ["worker", "--processes", "1", "--interval", "0.1", "--stop-with-parent"]
                if n:
                    args.append("--no-scheduler")
                self._start(f"worker{n + 1}", self._pdca(*args))
            self.wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_s3(self) -> None:
        port = free_port()
        self.s3_endpoint = f"http://127.0.0.1:{port}"
        moto = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
        self._start("s3", [moto, "-H", "127.0.0.1", "-p", str(port)])
        credentials = {
            "PDCA_S3_ACCESS_KEY_ID": "testing",
            "PDCA_S3_SECRET_ACCESS_KEY": "testing",
        }
        self.env.update(
            {
                "PDCA_EVIDENCE_STORAGE": "s3",
                "PDCA_S3_BUCKET": BUCKET,
                "PDCA_S3_ENDPOINT_URL": self.s3_endpoint,
                "PDCA_S3_REGION": "us-east-1",
                **credentials,
            }
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.s3_endpoint, timeout=1).close()  # noqa: S310
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.monotonic() > deadline:
                    raise ClusterError(
                        "moto_server did not start:\n" + self.procs[-1].tail()
                    ) from None
                time.sleep(0.2)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket=BUCKET)

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for url in self.web_urls:
            while True:
                dead = [p for p in self.procs if p.popen.poll() is not None]
                if dead:
                    raise ClusterError(
                        f"{dead[0].name} exited with {dead[0].popen.returncode}:\n{dead[0].tail()}"
                    )
                try:
                    with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise ClusterError(f"{url}/healthz did not answer within {timeout:.0f} s.")
                time.sleep(0.2)

    # --- stopping -------------------------------------------------------------------------

    def stop(self, grace: float = 30) -> None:
        """SIGTERM to every process group (workers finish the job in hand), then SIGKILL to
        whatever is left, including `pdca worker`'s own worker processes."""
        for proc in self.procs:
            if proc.popen.poll() is None:
                proc.descendants = _children(proc.popen.pid)
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs:
            try:
                proc.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.popen.pid, signal.SIGKILL)
                proc.popen.wait(timeout=10)
        for proc in self.procs:
            for pid in proc.descendants:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    if _alive(pid):
                        os.killpg(pid, signal.SIGKILL)
        self.procs = []
        if self.own_var:
            shutil.rmtree(self.var_dir, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def alive(self) -> list[str]:
        return [p.name for p in self.procs if p.popen.poll() is None]

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.tail(1500)}" for p in self.procs)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def _signals_stop() -> Iterator[None]:
    def stop(signum, frame) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--web", type=int, default=2, help="web processes (2)")
    parser.add_argument("--web-workers", type=int, default=1, help="gunicorn workers each (1)")
    parser.add_argument("--workers", type=int, default=2, help="`pdca worker` processes (2)")
    parser.add_argument("--port", type=int, default=8101, help="first web port (8101)")
    parser.add_argument("--s3", action="store_true", help="evidence in a moto S3 server")
    parser.add_argument("--no-migrate", action="store_true")
    args = parser.parse_args(argv)
    with _signals_stop():
        try:
            cluster = Cluster(
                args.database_url,
                web=args.web,
                web_workers=args.web_workers,
                workers=args.workers,
                s3=args.s3,
                ports=[args.port + n for n in range(args.web)],
                migrate=not args.no_migrate,
            )
            print(f"Starting (logs in {cluster.var_dir})…", flush=True)
            with cluster:
                for url in cluster.web_urls:
                    print(f"web     {url}  (healthy)")
                for n in range(cluster.workers):
                    print(f"worker  pdca worker #{n + 1}")
                if cluster.s3_endpoint:
                    print(f"s3      {cluster.s3_endpoint}  bucket {BUCKET}")
                print(f"database {cluster.database_url}")
                print("Ctrl-C stops everything.", flush=True)
                while True:
                    dead = [p for p in cluster.procs if p.popen.poll() is not None]
                    if dead:
                        print(f"{dead[0].name} exited:\n{dead[0].tail()}", file=sys.stderr)
                        return 1
                    time.sleep(0.5)
        except KeyboardInterrupt:
            print("Stopped.")
            return 0
        except ClusterError as exc:
            print(exc, file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
