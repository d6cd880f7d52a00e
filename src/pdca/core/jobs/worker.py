"""`pdca worker`: run jobs from the queue.

It starts `--processes` worker processes (django-tasks-db's `db_worker`, each taking one job at a
time from the database) and watches them, restarting one that dies. Beside them it keeps the
schedule: about twice a minute it queues the daily jobs that are due (once per day however
many workers run, on however many machines) and fails jobs whose worker vanished mid-run, so
they can be retried. SIGTERM or Ctrl-C stops it: each process finishes the job in hand first.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Annotated

import typer

from pdca.core.console import console, err

log = logging.getLogger(__name__)

#: Seconds between two looks at the schedule.
SCHEDULE_EVERY = 30.0
#: Seconds a stopping worker process may take to finish its job before it is killed.
STOP_GRACE = 60.0


def worker_process_command(index: int, queues: list[str], interval: float) -> list[str]:
    """The command line of worker process `index`: `db_worker` through `pdca manage`."""
    worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{index}"
    return [
        sys.executable,
        "-m",
        "pdca.cli",
        "manage",
        "db_worker",
        "--queue-name",
        ",".join(queues) if queues else "*",
        "--interval",
        str(interval),
        "--no-reload",
        "--worker-id",
        worker_id[:64],
    ]


class Supervisor:
    """The worker processes and the schedule of one `pdca worker`."""

    def __init__(
        self,
        *,
        processes: int,
        queues: list[str],
        interval: float,
        scheduler: bool,
        stop_with_parent: bool = False,
    ) -> None:
        self.processes = processes
        self.queues = queues
        self.interval = interval
        self.scheduler = scheduler
        #: The process that started us (`pdca demo`): when it is gone, so are we.
        self.parent = os.getppid() if stop_with_parent else None
        self.stopping = False
        self.children: dict[int, subprocess.Popen] = {}
        self.started: dict[int, float] = {}

    def spawn(self, index: int) -> None:
        # A session of its own: Ctrl-C reaches this process only, which then stops each worker
        # process once (a second signal would make it drop its job).
        self.children[index] = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            worker_process_command(index, self.queues, self.interval), start_new_session=True
        )
        self.started[index] = time.monotonic()

    def _stop(self, signum, frame) -> None:
        self.stopping = True

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for index in range(self.processes):
            self.spawn(index)
        next_tick = 0.0
        try:
            while not self.stopping:
                if self.scheduler and time.monotonic() >= next_tick:
                    self.tick()
                    next_tick = time.monotonic() + SCHEDULE_EVERY
                self.restart_dead()
                if self.parent is not None and os.getppid() != self.parent:
                    self.stopping = True
                time.sleep(0.5)
        finally:
            self.stop()

    def restart_dead(self) -> None:
        for index, child in list(self.children.items()):
            code = child.poll()
            if code is None or self.stopping:
                continue
            # One that dies at once (a database that is down) is restarted after a pause.
            if time.monotonic() - self.started[index] < 5:
                time.sleep(5)
            err.print(f"Worker process {index} ended (exit code {code}); starting it again.")
            self.spawn(index)

    def tick(self) -> None:
        from django.conf import settings
        from django.db import DatabaseError, close_old_connections

        from pdca.core.context import channel
        from pdca.core.jobs.runner import recover_stalled
        from pdca.core.jobs.schedule import run_due

        close_old_connections()
        try:
            with channel("system"):
                for job in run_due():
                    console.print(f"Queued the daily job {job.title} as job {job.pk}.")
            stalled = recover_stalled(minutes=settings.PDCA_JOB_STALL_MINUTES)
            if stalled:
                err.print(f"{stalled} job(s) lost their worker and were marked failed.")
        except DatabaseError:
            log.exception("the schedule could not be checked; trying again shortly")
        finally:
            close_old_connections()

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def worker_command(
    processes: Annotated[
        int, typer.Option("--processes", "-p", min=1, max=64, help="Worker processes to run")
    ] = 2,
    queue: Annotated[
        list[str] | None,
        typer.Option("--queue", "-q", help="Only this queue (default, mail); repeatable"),
    ] = None,
    scheduler: Annotated[
        bool, typer.Option("--scheduler/--no-scheduler", help="Also queue the daily jobs")
    ] = True,
    interval: Annotated[
        float,
        typer.Option(min=0.05, max=60, help="Seconds between two looks at an empty queue"),
    ] = 1.0,
    stop_with_parent: Annotated[bool, typer.Option(hidden=True)] = False,
) -> None:
    """Run jobs from the queue: reports, imports, e-mail, the daily reminders.

    Run one on each machine that should do background work, all against the same database;
    each job runs once. Stop it with Ctrl-C or SIGTERM: jobs in hand are finished first.
    """
    from pdca.core.cli_support import setup_django

    setup_django()
    from django.conf import settings

    backend = str(settings.TASKS["default"]["BACKEND"])
    if not backend.startswith("django_tasks_db."):
        err.print(
            f"[red]The task backend is {backend}: jobs run where they are asked for, and "
            "there is nothing for a worker to do (unset PDCA_TASK_BACKEND)."
        )
        raise typer.Exit(2)
    queues = list(queue or [])
    unknown = sorted(set(queues) - set(settings.TASKS["default"].get("QUEUES") or queues))
    if unknown:
        err.print(f"[red]No queue named {', '.join(unknown)}.")
        raise typer.Exit(2)
    console.print(
        f"pdca worker: {processes} process(es) on queue(s) {', '.join(queues) or 'all'}"
        + (", with the daily schedule." if scheduler else ".")
    )
    Supervisor(
        processes=processes,
        queues=queues,
        interval=interval,
        scheduler=scheduler,
        stop_with_parent=stop_with_parent,
    ).run()
