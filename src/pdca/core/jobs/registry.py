"""The kinds of job: each app registers the slow work it offers under a stable code.

    @job_kind("gap_report_pdf", title="Gap report (PDF)")
    def run(job: Job, progress: Progress) -> JobOutcome:
        progress(0, 3, "Collecting the figures")
        ...
        return JobOutcome.file(data, "gap-report-7.pdf", "application/pdf")

A kind's function is plain: it reads `job.params` (and the upload, `read_input(job)`), acts as
`job.requested_by`, reports progress, and returns what it made. A refusal it raises (a
`ServiceError`, or `JobFailed`) becomes the job's error, in the users' words. Apps register
their kinds when they start (`AppConfig.ready`), so core never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pdca.core.exceptions import FieldError, ValidationFailed


class Progress(Protocol):
    """`progress(done, total=None, message=None)`: how far the job got."""

    def __call__(self, done: int, total: int | None = None, message: str | None = None) -> None: ...


@dataclass
class JobOutcome:
    """What a job made: a file to download, a summary to show, or both."""

    content: bytes | None = None
    filename: str = ""
    content_type: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    #: One sentence for the job page ("Imported: 3 items changed.").
    message: str = ""

    @classmethod
    def file(
        cls, content: bytes, filename: str, content_type: str, message: str = ""
    ) -> JobOutcome:
        return cls(content=content, filename=filename, content_type=content_type, message=message)


class JobFailed(Exception):
    """A job could not do its work; `message` says why and `errors` name each bad input."""

    def __init__(self, message: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = list(errors or [])


def organization_of(job: Any) -> int:
    """The id of the organization a job works in (a job about one organization's data that
    has none was not queued by pdca)."""
    if job.organization_id is None:
        raise JobFailed("This job belongs to no organization.")
    organization_id: int = job.organization_id
    return organization_id


def import_failed(exc: ValidationFailed) -> JobFailed:
    """An all-or-nothing import refused: nothing was imported, and every bad cell is named."""
    count = len(exc.errors)
    if [e.field for e in exc.errors] == ["file"]:
        message = "Nothing was imported: the file cannot be read as a workbook."
    else:
        message = (
            f"Nothing was imported: {count} problem{'s' if count != 1 else ''} "
            f"need{'' if count != 1 else 's'} fixing. Correct them in the workbook and import "
            "it again."
        )
    return JobFailed(message, exc.errors)


@dataclass(frozen=True)
class JobKind:
    """One kind of job and how to run it."""

    code: str
    run: Callable[..., JobOutcome]
    title: str = ""
    #: The django-tasks queue its jobs wait in (e-mail has its own, so reports never wait
    #: behind a slow mail server).
    queue: str = "default"
    priority: int = 0
    #: Whether enqueueing one is written to the activity log (e-mail is part of the logged
    #: change that caused it).
    logged: bool = True
    #: (label, url) of the page the job is about, for a link back from the job page.
    link: Callable[[Any], tuple[str, str] | None] | None = None
    #: A report that only reads: it reads from the replica when one is configured
    #: (`core.db_routing`).
    reads_replica: bool = False


_kinds: dict[str, JobKind] = {}


def job_kind(
    code: str,
    *,
    title: str = "",
    queue: str = "default",
    priority: int = 0,
    logged: bool = True,
    link: Callable[[Any], tuple[str, str] | None] | None = None,
    reads_replica: bool = False,
) -> Callable[[Callable[..., JobOutcome]], Callable[..., JobOutcome]]:
    """Register the decorated function `run(job, progress) -> JobOutcome` as kind `code`."""

    def decorate(run: Callable[..., JobOutcome]) -> Callable[..., JobOutcome]:
        existing = _kinds.get(code)
        if existing is not None and _key(existing.run) != _key(run):
            raise RuntimeError(f"job kind {code!r} is already registered by {_key(existing.run)}")
        _kinds[code] = JobKind(
            code=code,
            run=run,
            title=title or code,
            queue=queue,
            priority=priority,
            logged=logged,
            link=link,
            reads_replica=reads_replica,
        )
        return run

    return decorate


def get_kind(code: str) -> JobKind:
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(f"no job kind {code!r} is registered") from None


def registered_kinds() -> dict[str, JobKind]:
    return dict(sorted(_kinds.items()))


def _key(function: Callable[..., Any]) -> str:
    return f"{function.__module__}.{function.__qualname__}"
