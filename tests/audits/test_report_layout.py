"""The audit report reads as one document: a cover page, then its parts one after another (not
a page each, mostly blank), and every grade in its own colour, the same in the charts, on the
page and in the PDF, and on the corrective-action analytics. Re-rendering an issued
revision's frozen content leaves that content as it was."""

from __future__ import annotations

import copy
import re

import pytest
from django.urls import reverse

from pdca.audits import findings as services
from pdca.audits.grades import GRADE_COLOURS, GRADE_LOOKS
from pdca.audits.report import rendering as reports
from pdca.core.testing.api_bundle import login
from tests.audits.test_findings import ISO9001, THREE_PARTS, make_audit, raise_minor, requirement

pytestmark = pytest.mark.django_db

GRADES = ("major", "minor", "observation", "ofi", "strength")


@pytest.fixture
def audit(personas, catalog):
    """An internal audit in reporting with one finding of each grade."""
    audit = make_audit(
        personas.org,
        summary="Production is under control.",
        conclusion="Conforms, but for the two nonconformities.",
    )
    for grade in GRADES:
        services.raise_finding(
            audit,
            actor=personas.manager,
            grade=grade,
            title=f"A {grade} finding",
            requirements=[requirement(ISO9001, "7.1.5.1")],
            **THREE_PARTS,
        )
    return audit


def pdf_pages(content) -> int:
    from weasyprint import HTML

    return len(HTML(string=reports.render_html(content)).render().pages)


def bar_colours(svg: str) -> dict[str, str]:
    """Label → fill of each bar of an inline chart (the bar's tooltip names it)."""
    return dict(
        (label, fill)
        for fill, label in re.findall(r'fill="(#[0-9a-f]{6})"><title>([^<:]+): \d+</title>', svg)
    )


def test_the_parts_follow_one_another_after_the_cover(personas, catalog):
    audit = make_audit(personas.org, summary="Short.", conclusion="Conforms.")
    raise_minor(audit, personas.manager, requirements=[requirement(ISO9001, "7.1.5.1")])
    # A short report: the cover, and its five parts on one page (a page each before).
    assert pdf_pages(reports.report_content(audit)) == 2


def test_a_long_report_takes_the_pages_its_text_needs(audit):
    content = reports.report_content(audit)
    # Five findings, a table and two charts: three pages, not a cover and five parts.
    assert pdf_pages(content) <= 3


def test_every_grade_has_its_own_colour_in_the_chart(audit):
    content = reports.report_content(audit)
    fills = bar_colours(reports.grade_chart(content))
    by_grade = {g["grade"]: fills[g["label"]] for g in content["by_grade"]}
    assert by_grade == GRADE_COLOURS
    assert len(set(by_grade.values())) == len(GRADES)
    assert by_grade["major"] == "#8e1b1b"  # dark red
    assert by_grade["minor"] == "#f57c00"  # orange


def test_the_page_and_the_pdf_show_each_grade_in_the_chart_colour(client, personas, audit):
    content = reports.report_content(audit)
    pdf_html = reports.render_html(content)
    login(client, personas.manager)
    page = client.get(reverse("audits:report", args=[audit.pk])).content.decode()
    for grade in GRADES:
        look = GRADE_LOOKS[grade]
        badge = f"background-color: {look.colour}; color: {look.ink}"
        assert badge in page, grade
        assert badge in pdf_html, grade
        border = f'class="report-finding grade-{grade}" style="border-left-color: {look.colour}"'
        assert border in page, grade
        assert border in pdf_html, grade


def test_rendering_frozen_content_leaves_it_as_it_was(audit):
    content = reports.report_content(audit)
    frozen = copy.deepcopy(content)
    reports.render_html(content)
    reports.template_context(content)
    assert content == frozen


def test_capa_analytics_colour_major_and_minor_as_their_grades(client, personas, audit):
    login(client, personas.manager)
    html = client.get(reverse("improvement:analytics")).content.decode()
    chart = re.search(r'<svg[^>]*aria-label="By grade".*?</svg>', html, re.S).group(0)
    fills = bar_colours(chart)
    assert (fills["Major"], fills["Minor"]) == (GRADE_COLOURS["major"], GRADE_COLOURS["minor"])
