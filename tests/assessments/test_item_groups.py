"""A long assessment page stays short: its items come in one collapsible section per clause or
Annex group (closed when there are many, open when filtered or few), each with its count,
readiness and overdue items, under sticky filters and a sticky table header."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from pdca.assessments import pages
from pdca.assessments.services import create_assessment, update_item
from pdca.core.testing.api_bundle import login
from tests.assessments.test_views import HTMX, ISO9001, make_system

pytestmark = pytest.mark.usefixtures("catalog")
ISMS, AIMS = "iso27001-2022", "iso42001-2023"


@pytest.fixture
def assessment(personas):
    system = make_system(personas.org, (ISO9001, ISMS, AIMS))
    return create_assessment(system, title="Baseline", actor=personas.manager)


def detail(assessment, query: str = "") -> str:
    url = reverse("assessments:assessment_detail", args=[assessment.pk])
    return f"{url}?{query}" if query else url


def sections(html: str) -> list[tuple[str, bool]]:
    """(clause key, open) of each section, in page order."""
    tags = re.findall(r'<details class="item-group"([^>]*data-group="([^"]+)"[^>]*)>', html)
    return [(key, " open" in attrs) for attrs, key in tags]


def test_items_come_by_clause_in_the_order_of_readiness(client, personas, assessment):
    login(client, personas.manager)
    response = client.get(detail(assessment))
    keys = [key for key, _ in sections(response.content.decode())]
    readiness = [c.key for c in response.context["readiness"].by_clause]
    assert keys == readiness
    assert keys[:7] == ["4", "5", "6", "7", "8", "9", "10"]
    # 27001 and 42001 both have an Annex group "A.5": two sections, one per standard.
    assert "ISO/IEC 27001 A.5" in keys and "ISO/IEC 42001 A.5" in keys
    # Every item sits in exactly one section.
    groups = response.context["groups"]
    assert sum(len(g.rows) for g in groups) == assessment.items.count()


def test_many_items_start_closed_and_a_filter_opens_what_matches(client, personas, assessment):
    login(client, personas.manager)
    assert assessment.items.count() > pages.OPEN_UP_TO
    html = client.get(detail(assessment)).content.decode()
    assert sections(html) and not any(is_open for _, is_open in sections(html))
    assert f"pdca.gap.{assessment.pk}.open" in html  # where the browser remembers them

    item = assessment.items.order_by("sort_key").first()
    update_item(item, actor=personas.manager, status="implemented")
    filtered = client.get(detail(assessment, "status=implemented"), **HTMX, HTTP_HX_TARGET="items")
    html = filtered.content.decode()
    assert html.lstrip().startswith('<section id="items"')
    assert sections(html) == [(pages.group_key(item.requirement), True)]
    assert "data-filtered" in html


def test_a_section_says_how_many_items_and_how_ready(client, personas, assessment):
    late = assessment.items.order_by("sort_key").first()  # clause 4
    update_item(late, actor=personas.manager, target_date=dt.date(2020, 1, 1))
    login(client, personas.manager)
    response = client.get(detail(assessment))
    four = response.context["groups"][0]
    assert (four.key, four.title, four.overdue) == ("4", "Context of the organization", 1)
    html = response.content.decode()
    summary = html[html.index('id="clause-4"') :]
    summary = summary[: summary.index("</summary>")]
    assert f"{len(four.rows)} items" in summary
    assert "readiness" in summary and "1 overdue" in summary


def test_the_table_header_and_the_filters_stick(client, personas, assessment):
    login(client, personas.manager)
    html = client.get(detail(assessment)).content.decode()
    assert re.search(r'<form id="filters" class="[^"]*\bsticky-bar\b', html)
    tables = re.findall(r'<table class="([^"]*)"', html[html.index('<section id="items"') :])
    items = [t for t in tables if "items-table" in t]
    assert items and all("table-sticky" in t and "table-stack" in t for t in items)
