"""The gap report: a PDF (summary, readiness chart, standard by clause, items by status, the
implementation plan) and the same figures as a workbook."""

from __future__ import annotations

import datetime as dt
import hashlib
from unittest import mock

import pytest
from django.urls import reverse

from pdca.assessments import report, services
from pdca.assessments.models import GapItem
from pdca.assessments.readiness import compute_readiness
from pdca.core.jobs.models import Job
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.system.services import active_standards
from tests.assessments.filedata import (
    item_for,
    make_assessment,
    needs_poppler,
    pdf_text,
    workbook_of,
)

TODAY = dt.date(2030, 6, 1)


@pytest.fixture
def assessment(personas, catalog):
    """9001 and 27001, with a few items moved: two implemented, one partial, one not
    applicable, one planned and overdue, one planned for later."""
    assessment = make_assessment(personas)
    owner = personas.users[Role.PROCESS_OWNER]
    changes = {
        ("iso9001-2015", "4.1"): {"status": "implemented"},
        ("iso9001-2015", "4.2"): {"status": "implemented"},
        ("iso9001-2015", "7.2"): {"status": "partial"},
        ("iso27001-2022", "A.7.1"): {"status": "not_applicable", "justification": "Cloud only."},
        ("iso9001-2015", "8.3.1"): {
            "status": "planned",
            "owner": owner,
            "target_date": dt.date(2030, 5, 1),
        },
        ("iso27001-2022", "A.5.1"): {"status": "planned", "target_date": dt.date(2030, 9, 1)},
    }
    for (code, number), values in changes.items():
        GapItem.objects.filter(pk=item_for(assessment, code, number).pk).update(**values)
    return assessment


def readiness_of(assessment):
    return compute_readiness(assessment, active_standards(assessment.system))


def percent_text(value: float) -> str:
    return f"{value:g}%"


# --- PDF ----------------------------------------------------------------------------------


@needs_poppler
def test_the_pdf_names_the_organization_readiness_and_plan(assessment, tmp_path):
    data = report.report_pdf(assessment, today=TODAY)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data, tmp_path)
    readiness = readiness_of(assessment)
    for expected in (
        "Org A",
        "GAP ASSESSMENT REPORT",
        "IMS baseline",
        "Management system: IMS",
        "ISO 9001:2015, ISO/IEC 27001:2022",
        percent_text(readiness.overall.percent),
        "overall readiness",
        "Summary",
        "Readiness by clause",
        "Standard by clause (Harmonized Structure)",
        "Annex controls",
        "Items by status",
        "Implementation plan",
        "1 overdue",
        "Page 1 of",
    ):
        assert expected in text, expected
    for s in readiness.by_standard:
        assert percent_text(s.score.percent) in text


@needs_poppler
def test_the_pdf_plan_lists_open_items_with_the_overdue_one_first(assessment, tmp_path):
    text = pdf_text(report.report_pdf(assessment, today=TODAY), tmp_path)
    plan = text[text.rindex("Implementation plan") :]
    assert plan.index("2030-05-01") < plan.index("2030-09-01")
    assert "overdue" in plan[plan.index("2030-05-01") : plan.index("2030-09-01")]
    assert "Process Owner A" in plan
    unscheduled = plan[plan.index("Not yet scheduled") :]
    assert "ISO 9001 4.3" in " ".join(unscheduled.split())


def test_the_report_html_embeds_the_charts_inline(assessment):
    html = report.report_html(assessment, today=TODAY)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="readiness-chart"') == 2
    assert "<img" not in html


def test_every_open_item_is_in_the_plan_and_in_its_status_list(assessment):
    data = report.report_data(assessment, today=TODAY)
    open_ids = set(
        assessment.items.filter(status__in=["not_started", "planned", "partial"]).values_list(
            "pk", flat=True
        )
    )
    assert {row.item.pk for row in data["plan"]} == open_ids
    listed = {row.item.pk for _, _, rows in data["open_by_status"] for row in rows}
    assert listed == open_ids
    assert [row.item.pk for row in data["plan"] if row.overdue] == [
        item_for(assessment, "iso9001-2015", "8.3.1").pk
    ]
    assert data["overdue_count"] == 1
    # Items with an owner or a date are table rows; the rest is listed after them, compactly.
    assert [row.item.pk for row in data["plan_scheduled"]] == [
        item_for(assessment, "iso9001-2015", "8.3.1").pk,
        item_for(assessment, "iso27001-2022", "A.5.1").pk,
    ]
    assert data["plan_scheduled"] + data["plan_unscheduled"] == data["plan"]


def test_a_plan_with_nothing_open_says_so(assessment):
    assessment.items.update(status="implemented")
    html = report.report_html(assessment, today=TODAY)
    assert "No open items: every item is implemented or not applicable." in html
    assert "Not yet scheduled" not in html


# --- XLSX ---------------------------------------------------------------------------------


def test_the_workbook_has_the_four_sheets_with_a_row_per_figure(assessment):
    workbook = workbook_of(report.report_xlsx(assessment, today=TODAY))
    assert workbook.sheetnames == ["Summary", "Clauses", "Items", "Plan"]
    readiness = readiness_of(assessment)
    summary = list(workbook["Summary"].iter_rows(values_only=True))
    header = summary.index(
        (
            "Standard",
            "Items",
            "Applicable",
            "Not started",
            "Planned",
            "Partial",
            "Implemented",
            "Not applicable",
            "Readiness",
        )
    )
    table = summary[header + 1 :]
    assert [row[0] for row in table] == ["ISO 9001:2015", "ISO/IEC 27001:2022", "All standards"]
    overall = table[-1]
    assert overall[1:8] == (
        readiness.overall.total,
        readiness.overall.applicable,
        readiness.overall.counts["not_started"],
        2,
        1,
        2,
        1,
    )
    assert overall[8] == pytest.approx(readiness.overall.percent / 100)
    assert dict(row[:2] for row in summary[:header] if row[0])["Overall readiness"] == (
        pytest.approx(readiness.overall.percent / 100)
    )
    clauses = workbook["Clauses"]
    assert clauses.max_row == 1 + sum(len(s.clauses) for s in readiness.by_standard)
    assert workbook["Items"].max_row == 1 + assessment.items.count()
    plan = services.plan(assessment, today=TODAY)
    assert workbook["Plan"].max_row == 1 + len(plan)
    first = [c.value for c in workbook["Plan"][2]]
    assert first[:3] == [dt.datetime(2030, 5, 1), "overdue", "process_owner@a.example"]


def test_the_workbook_clause_rows_carry_the_readiness_of_each_clause(assessment):
    workbook = workbook_of(report.report_xlsx(assessment, today=TODAY))
    readiness = readiness_of(assessment)
    rows = {(r[0], r[1]): r for r in workbook["Clauses"].iter_rows(min_row=2, values_only=True)}
    nine = next(s for s in readiness.by_standard if s.standard.code == "iso9001-2015")
    clause4 = next(c for c in nine.clauses if c.key == "4")
    row = rows[("ISO 9001:2015", "4")]
    assert row[3] == clause4.score.applicable
    assert row[-1] == pytest.approx(clause4.score.percent / 100)
    annex = rows[("ISO/IEC 27001:2022", "A.7")]
    assert annex[2] == "Physical controls"
    assert annex[8] == 1  # the not-applicable control


# --- pages --------------------------------------------------------------------------------


def queue(client, name: str, assessment):
    """Ask for the report on the assessment's page: the job page, where it is followed."""
    response = client.post(reverse(f"assessments:{name}", args=[assessment.pk]))
    assert response.status_code == 302, response.content
    job = Job.objects.latest("pk")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    return job


class FixedClock:
    """The report's clock stopped at one moment, so that two renderings can be compared."""

    moment = dt.datetime(2030, 6, 1, 9, 30, tzinfo=dt.UTC)

    @classmethod
    def localdate(cls):
        return cls.moment.date()

    @classmethod
    def localtime(cls, value=None):
        return cls.moment


def test_a_member_gets_the_pdf_from_its_job_byte_for_byte(client, personas, assessment):
    login(client, personas.employee)
    with mock.patch("pdca.assessments.report.timezone", FixedClock):
        job = queue(client, "report_pdf", assessment)
        expected = report.report_pdf(assessment)
    assert (job.kind, job.status, job.requested_by) == (
        "gap_report_pdf",
        "succeeded",
        personas.employee,
    )
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert f"Download gap-report-{assessment.pk}.pdf" in page
    assert "Back to the assessment" in page
    pdf = client.get(reverse("jobs:download", args=[job.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'inline; filename="gap-report-{assessment.pk}.pdf"'
    assert pdf.content == expected
    assert job.result_sha256 == hashlib.sha256(expected).hexdigest()


def test_the_workbook_from_its_job_is_the_one_the_function_makes(client, personas, assessment):
    """Cell for cell (an XLSX file also carries the second it was written at)."""

    def cells(data: bytes):
        return {
            sheet.title: list(sheet.iter_rows(values_only=True))
            for sheet in workbook_of(data).worksheets
        }

    login(client, personas.manager)
    with mock.patch("pdca.assessments.report.timezone", FixedClock):
        job = queue(client, "report_xlsx", assessment)
        expected = report.report_xlsx(assessment)
    assert cells(client.get(reverse("jobs:download", args=[job.pk])).content) == cells(expected)


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_every_member_has_the_report_workbook_made(client, personas, assessment, role):
    login(client, personas.users[role])
    job = queue(client, "report_xlsx", assessment)
    xlsx = client.get(reverse("jobs:download", args=[job.pk]))
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"] == (
        f'attachment; filename="gap-report-{assessment.pk}.xlsx"'
    )
    assert workbook_of(xlsx.content).sheetnames == ["Summary", "Clauses", "Items", "Plan"]


def test_the_report_is_asked_for_with_a_post_only(client, personas, assessment):
    login(client, personas.employee)
    assert client.get(reverse("assessments:report_pdf", args=[assessment.pk])).status_code == 405
    assert not Job.objects.exists()


def test_the_downloads_cost_the_same_queries_whatever_the_size(client, personas, catalog):
    small = make_assessment(personas, ("iso9001-2015",), name="Small")
    large = make_assessment(
        personas, ("iso9001-2015", "iso14001-2015", "iso27001-2022"), name="Large"
    )
    owner = personas.users[Role.PROCESS_OWNER]
    for assessment in (small, large):
        assessment.items.filter(pk__in=assessment.items.values("pk")[:20]).update(
            owner=owner, status="planned", target_date=dt.date(2030, 1, 1)
        )
    login(client, personas.manager)
    # The export is a plain download; the reports are made by a job, here run as it is queued.
    for name, method in (
        ("assessment_export", client.get),
        ("report_xlsx", client.post),
        ("report_pdf", client.post),
    ):
        counts = []
        for assessment in (small, large):
            url = reverse(f"assessments:{name}", args=[assessment.pk])
            count, response = count_queries(lambda url=url, method=method: method(url))
            assert response.status_code in (200, 302)
            counts.append(count)
        assert counts[0] == counts[1], name


def test_an_assessment_with_nothing_applicable_reports_n_a(personas, assessment):
    assessment.items.update(status="not_applicable", justification="Out of scope.")
    html = report.report_html(assessment, today=TODAY)
    assert "n/a" in html
    assert "No open items: every item is implemented or not applicable." in html
    workbook = workbook_of(report.report_xlsx(assessment, today=TODAY))
    summary = {r[0]: r[1] for r in workbook["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Overall readiness"] == "n/a"
    assert report.report_pdf(assessment, today=TODAY).startswith(b"%PDF-")


def test_a_report_after_every_standard_was_dropped_still_renders(personas, assessment):
    from pdca.system.services import drop_standard

    for standard in active_standards(assessment.system):
        drop_standard(assessment.system, standard, actor=personas.manager)
    data = report.report_data(assessment, today=TODAY)
    assert data["readiness"].by_standard == []
    assert data["readiness"].overall.percent is None
    assert report.report_pdf(assessment, today=TODAY).startswith(b"%PDF-")
    assert workbook_of(report.report_xlsx(assessment, today=TODAY))["Clauses"].max_row == 1
