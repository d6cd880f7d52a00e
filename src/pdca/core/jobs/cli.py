"""`pdca jobs …`: list, show, retry and download jobs, and ping the workers; and
`run_or_queue`, with which other commands run a job here with a progress bar (the command line
is already a background process) or hand it to the workers (`--queue`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from pdca.core.cli_output import Column, FormatOption, print_json, print_rows
from pdca.core.console import console, err

app = typer.Typer(
    help="Jobs: reports, imports and e-mail run by the workers.", no_args_is_help=True
)

JobArg = Annotated[int, typer.Argument(help="The job's id (`pdca jobs list` shows the ids)")]


def _setup() -> None:
    from pdca.core.cli_support import setup_django

    setup_django()


def _job(job_id: int):
    from pdca.core.jobs.models import Job

    job = Job.objects.select_related("organization", "requested_by").filter(pk=job_id).first()
    if job is None:
        err.print(f"[red]No job with id {job_id}.")
        raise typer.Exit(1)
    return job


def run_or_queue(
    kind: str,
    *,
    organization,
    actor,
    params: dict[str, Any],
    title: str,
    queue: bool,
    upload: bytes | None = None,
    upload_name: str = "",
):
    """Run a job of `kind` here with a progress bar and return its `JobOutcome` (a refusal is
    raised as the service raised it), or, with `queue`, queue it for the workers and return the
    `Job`."""
    from pdca.core.jobs.models import Job
    from pdca.core.jobs.runner import run_inline
    from pdca.core.jobs.services import enqueue_job

    if queue:
        return enqueue_job(
            kind,
            organization=organization,
            actor=actor,
            params=params,
            title=title,
            upload=upload,
            upload_name=upload_name,
        )
    job = Job(
        kind=kind,
        organization=organization,
        requested_by=actor,
        title=title,
        params=params,
        input_name=upload_name,
    )
    job.inline_input = upload
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        console=err,
        transient=True,
        # A script reading the output gets the result only, not a bar redrawn line by line.
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(title, total=None)

        def echo(done: int, total: int, message: str) -> None:
            bar.update(task, completed=done, total=total or None, description=message or title)

        return run_inline(job, echo=echo)


def print_queued(job) -> None:
    """What a command with `--queue` says."""
    console.print(
        f"Queued job {job.pk} ({job.get_status_display().lower()}): follow it with "
        f"`pdca jobs show {job.pk}`."
    )


@app.command("list")
def list_(
    org: Annotated[str | None, typer.Option("--org", help="Only this organization (slug)")] = None,
    status: Annotated[str | None, typer.Option(help="queued, running, succeeded or failed")] = None,
    kind: Annotated[str | None, typer.Option(help="Only this kind (gap_report_pdf, …)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first")] = 20,
    fmt: FormatOption = "table",
) -> None:
    """The latest jobs of every organization, and the platform's."""
    _setup()
    from pdca.core.cli_support import organization_or_exit
    from pdca.core.jobs.models import Job

    jobs = Job.objects.select_related("organization", "requested_by")
    if org:
        jobs = jobs.filter(organization=organization_or_exit(org))
    if status:
        if status not in Job.Status.values:
            err.print(f"[red]--status must be one of {', '.join(Job.Status.values)}.")
            raise typer.Exit(2)
        jobs = jobs.filter(status=status)
    if kind:
        jobs = jobs.filter(kind=kind)
    rows = [
        {
            "id": job.pk,
            "kind": job.kind,
            "status": job.status,
            "percent": job.percent,
            "organization": job.organization.slug if job.organization else None,
            "requested_by": job.requested_by.email if job.requested_by else None,
            "created_at": job.created_at,
            "title": job.title,
        }
        for job in jobs[:limit]
    ]
    columns = [
        Column("id", "id", "right"),
        Column("kind", "kind"),
        Column("status", "status", "right"),
        Column("percent", "%", "right"),
        Column("organization", "organization", text=lambda r: r["organization"] or "-"),
        Column("requested_by", "asked by", text=lambda r: r["requested_by"] or "-"),
        Column("created_at", "at"),
        Column("title", "title"),
    ]
    print_rows(rows, columns, fmt)


@app.command()
def show(job_id: JobArg, fmt: FormatOption = "table") -> None:
    """One job: status, progress, error or result."""
    _setup()
    job = _job(job_id)
    if fmt == "json":
        print_json(
            {
                "id": job.pk,
                "kind": job.kind,
                "title": job.title,
                "status": job.status,
                "organization": job.organization.slug if job.organization else None,
                "requested_by": job.requested_by.email if job.requested_by else None,
                "created_at": job.created_at,
                "attempts": job.attempts,
                "worker": job.worker or None,
                "progress": {
                    "done": job.progress_done,
                    "total": job.progress_total,
                    "percent": job.percent,
                    "message": job.progress_message,
                },
                "error": job.error or None,
                "result": job.result,
                "file": (
                    {
                        "name": job.result_name,
                        "size": job.result_size,
                        "sha256": job.result_sha256,
                    }
                    if job.has_file
                    else None
                ),
            }
        )
        return
    console.print(f"[bold]Job {job.pk}[/bold]: {job.title} ({job.kind})")
    console.print(f"Status: {job.status}; attempts: {job.attempts}; worker: {job.worker or '-'}")
    percent = "" if job.percent is None else f" ({job.percent}%)"
    console.print(
        f"Progress: {job.progress_done}/{job.progress_total}{percent} {job.progress_message}"
    )
    if job.error:
        console.print(f"Error: {job.error}")
    for error in job.result.get("errors", []):
        console.print(
            f"  {error['field']}: {error['message']}" if error["field"] else error["message"]
        )
    if job.has_file:
        console.print(
            f"File: {job.result_name} ({job.result_size} bytes, SHA-256 {job.result_sha256}): "
            f"`pdca jobs download {job.pk}`"
        )
    elif job.result and not job.error:
        console.print(f"Result: {job.result}")


@app.command()
def retry(job_id: JobArg) -> None:
    """Queue a failed job again."""
    _setup()
    from pdca.core.context import channel
    from pdca.core.exceptions import ServiceError
    from pdca.core.jobs.services import retry_job

    job = _job(job_id)
    try:
        with channel("cli"):
            job = retry_job(job, actor=None)
    except ServiceError as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    console.print(f"Job {job.pk} is {job.get_status_display().lower()} again.")


@app.command()
def download(
    job_id: JobArg,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default its name)")
    ] = None,
) -> None:
    """Write the file a job made."""
    _setup()
    from pdca.core.exceptions import ServiceError
    from pdca.core.jobs.services import read_result

    job = _job(job_id)
    try:
        content = read_result(job)
    except ServiceError as exc:
        err.print(f"[red]{exc.message}")
        raise typer.Exit(1) from None
    path = output or Path(job.result_name)
    try:
        path.write_bytes(content)
    except OSError as exc:
        err.print(f"[red]Cannot write {path}: {exc.strerror or exc}.")
        raise typer.Exit(1) from None
    console.print(f"Wrote {path}.")


@app.command()
def ping(
    wait: Annotated[float, typer.Option(min=0, max=600, help="Seconds to wait for a worker")] = 30,
) -> None:
    """Queue a job that does nothing and wait for a worker to run it (exit code 1 when none
    does in time)."""
    _setup()
    from pdca.core.jobs.services import enqueue_job

    job = enqueue_job("ping", organization=None, actor=None, title="Ping")
    deadline = time.monotonic() + wait
    with err.status(f"Waiting for a worker to run job {job.pk}…"):
        while not job.is_finished and time.monotonic() < deadline:
            time.sleep(0.2)
            job.refresh_from_db()
    if job.status == job.Status.SUCCEEDED:
        console.print(f"OK: job {job.pk} {job.progress_message}")
        return
    err.print(f"[red]No worker ran job {job.pk} within {wait:g} seconds (it is {job.status}).")
    raise typer.Exit(1)
