"""Request time of slow work before and after the task queue (issue 14): the gap report, a
300-row gap import and issuing a 200-finding audit report, done inside the request (the
synchronous function, as the pages did) and queued (the request that queues the job; a worker
does the rest).

`run.py` adds these with `add(...)`, handing over its helpers.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from django.test import override_settings

#: The database queue, as in production: a request only queues the job.
DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}
}
IMPORT_ROWS = 300


def _median_ms(call: Callable[[], Any], between: Callable[[], Any], repeat: int) -> float:
    """Median milliseconds of `call`; `between` (not timed) runs after each call."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
        between()
    return round(statistics.median(times) * 1000, 2)


def _forget_queued() -> None:
    """Fail the jobs a request just queued, so that the next request queues a new one (the same
    work asked for twice would be answered with the waiting job)."""
    from pdca.core.jobs.models import Job

    Job.objects.filter(status__in=Job.ACTIVE).update(status=Job.Status.FAILED)


def _import_workbook(assessment, flip: bool) -> bytes:
    """The assessment's export cut to its first 300 rows, every status changed."""
    import io

    import openpyxl

    from pdca.assessments.spreadsheet import export_assessment

    workbook = openpyxl.load_workbook(io.BytesIO(export_assessment(assessment)))
    sheet = workbook["Items"]
    header = [cell.value for cell in sheet[1]]
    status = header.index("Status") + 1
    sheet.delete_rows(IMPORT_ROWS + 2, sheet.max_row)
    for row in range(2, IMPORT_ROWS + 2):
        sheet.cell(row, status).value = "Planned" if flip else "Partial"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _issuable(audit: Any) -> Any:
    """The benchmark audit with what a complete report needs besides its findings: the opening
    and closing meetings."""
    import datetime as dt

    from pdca.audits.models import AuditMeeting

    for kind in AuditMeeting.Kind.values:
        AuditMeeting.objects.get_or_create(
            organization=audit.organization,
            audit=audit,
            kind=kind,
            defaults={
                "held_at": dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC),
                "attendees": "Benchmark auditee",
            },
        )
    return audit


def add(
    benchmark,
    all_standards: Callable[[], tuple[Any, Any]],
    client_for,
    integrated_audit: Callable[[], tuple[Any, Any]],
) -> None:
    """Register the before/after benchmarks with run.py's `benchmark` decorator."""

    @benchmark("audit_report_issue_200_findings_in_request_before", "ms")
    def report_issue_before() -> dict:
        from pdca.audits.report.issue import issue_report

        audit, manager = integrated_audit()
        _issuable(audit)

        def call():
            issue_report(audit, actor=manager, reason="Benchmark revision")

        value = _median_ms(call, lambda: None, repeat=3)
        return {"value": value, "findings": audit.findings.count(), "what": "issue_report()"}

    @benchmark("audit_report_issue_200_findings_request_after", "ms")
    def report_issue_after() -> dict:
        from django.urls import reverse

        audit, manager = integrated_audit()
        _issuable(audit)
        from pdca.audits.report.jobs import ISSUE_KIND
        from pdca.core.jobs.models import Job

        client = client_for(manager)
        url = reverse("audits:report-issue", args=[audit.pk])
        queued = Job.objects.filter(kind=ISSUE_KIND).count()
        with override_settings(TASKS=DATABASE_QUEUE):
            value = _median_ms(
                lambda: client.post(url, {"reason": "Benchmark revision"}),
                _forget_queued,
                repeat=7,
            )
        if Job.objects.filter(kind=ISSUE_KIND).count() - queued != 7:
            return {"value": None, "skipped": "the page refused to queue the issue"}
        return {"value": value, "what": "POST that checks, queues the job and redirects to it"}

    def assessment_of() -> tuple[Any, Any]:
        from pdca.tenancy.models import Organization
        from pdca.tenancy.testing import make_personas

        if not Organization.objects.filter(slug="org-a").exists():  # run on their own
            make_personas()
        return all_standards()

    @benchmark("gap_report_pdf_in_request_before", "ms")
    def gap_report_before() -> dict:
        from pdca.assessments import report

        assessment, _ = assessment_of()
        value = _median_ms(lambda: report.report_pdf(assessment), lambda: None, repeat=3)
        return {"value": value, "what": "report_pdf(), as the page ran it inside the request"}

    @benchmark("gap_report_pdf_request_after", "ms")
    def gap_report_after() -> dict:
        from django.urls import reverse

        assessment, manager = assessment_of()
        client = client_for(manager)
        url = reverse("assessments:report_pdf", args=[assessment.pk])
        with override_settings(TASKS=DATABASE_QUEUE):
            value = _median_ms(lambda: client.post(url), _forget_queued, repeat=7)
        return {"value": value, "what": "POST that queues the job and redirects to its page"}

    @benchmark("gap_import_300_rows_in_request_before", "ms")
    def gap_import_before() -> dict:
        from pdca.assessments.spreadsheet import import_assessment

        assessment, manager = assessment_of()
        books = [_import_workbook(assessment, flip) for flip in (True, False)]
        runs = iter(range(100))

        def call():
            import_assessment(assessment, books[next(runs) % 2], actor=manager)

        value = _median_ms(call, lambda: None, repeat=3)
        return {"value": value, "rows": IMPORT_ROWS, "what": "import_assessment()"}

    @benchmark("gap_import_300_rows_request_after", "ms")
    def gap_import_after() -> dict:
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.urls import reverse

        assessment, manager = assessment_of()
        client = client_for(manager)
        url = reverse("assessments:assessment_import", args=[assessment.pk])
        books = [_import_workbook(assessment, flip) for flip in (True, False)]
        runs = iter(range(100))

        def call():
            data = books[next(runs) % 2]
            client.post(url, {"file": SimpleUploadedFile("gap.xlsx", data)})

        with override_settings(TASKS=DATABASE_QUEUE):
            value = _median_ms(call, _forget_queued, repeat=7)
        return {"value": value, "rows": IMPORT_ROWS, "what": "POST that queues the job"}
