"""The turtle diagram of a process and the extra part of the process's page: what each box
shows, who may see it (every member; 404 for another organization), and a query count that
does not grow with linked rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.risks.models import Risk
from pdca.system.models import Objective, Process, RaciAssignment, Responsibility
from pdca.system.processes.views import process_detail_context


def make_process(org, code: str, **fields) -> Process:
    fields.setdefault("name", f"Process {code}")
    return Process.objects.create(organization=org, code=code, **fields)


def link_rows(org, process: Process, start: int, count: int, user) -> None:
    """`count` of each kind of linked row: hand-overs both ways, risks, objectives,
    responsibilities with two RACI cells each."""
    for i in range(start, start + count):
        upstream = make_process(org, f"U-{i:02d}")
        downstream = make_process(org, f"D-{i:02d}")
        process.fed_by.add(upstream)
        process.feeds.add(downstream)
        risk = Risk.objects.create(
            organization=org, code=f"R-{i:02d}", title=f"Risk {i}", inherent_score=i
        )
        risk.processes.add(process)
        Objective.objects.create(
            organization=org,
            title=f"Objective {i}",
            process=process,
            kpi="Scrap rate",
            target=2,
            start_date=dt.date(2026, 1, 1),
            due_date=dt.date(2026, 12, 31),
            owner=user,
        )
        r = Responsibility.objects.create(
            organization=org, activity=f"Activity {i}", process=process
        )
        RaciAssignment.objects.create(organization=org, responsibility=r, role="Setter", letter="R")
        RaciAssignment.objects.create(organization=org, responsibility=r, user=user, letter="A")


@pytest.fixture
def machining(personas) -> Process:
    org = personas.org
    process = make_process(
        org,
        "P-03",
        name="CNC machining",
        owner=personas.users["process_owner"],
        purpose="Turn material into parts",
        inputs="Work order\n- Raw material\n\n",
        outputs="Machined parts",
        resources="CNC mills",
        competence="Qualified machinists",
        methods="Work instruction WI-12",
        kpis="Scrap rate",
    )
    planning = make_process(org, "P-02", name="Production planning")
    inspection = make_process(org, "P-04", name="Final inspection")
    process.fed_by.add(planning)
    process.feeds.add(inspection)
    risk = Risk.objects.create(
        organization=org,
        code="R-07",
        title="Machine breakdown",
        inherent_score=12,
        residual_score=6,
    )
    risk.processes.add(process)
    Risk.objects.create(organization=org, code="R-08", title="Unlinked risk")
    Objective.objects.create(
        organization=org,
        title="Less scrap",
        process=process,
        kpi="Scrap rate",
        unit="%",
        direction=Objective.Direction.AT_MOST,
        target=2,
        start_date=dt.date(2026, 1, 1),
        due_date=dt.date(2026, 12, 31),
    )
    release = Responsibility.objects.create(
        organization=org, activity="Release CNC programs", process=process
    )
    RaciAssignment.objects.create(
        organization=org, responsibility=release, role="Production manager", letter="A"
    )
    RaciAssignment.objects.create(
        organization=org, responsibility=release, user=personas.manager, letter="R"
    )
    return process


def section(body: str, css_class: str) -> str:
    start = body.index(f'class="turtle-cell {css_class}"')
    end = body.find('class="turtle-cell ', start + 1)
    return body[start : end if end > 0 else len(body)]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_turtle_shows_each_box(client, personas, machining):
    login(client, personas.employee)
    response = client.get(reverse("workspace:process-turtle", args=[machining.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    centre = text(section(body, "turtle-process"))
    assert "P-03" in centre and "CNC machining" in centre
    assert "Process Owner A" in centre and "Turn material into parts" in centre
    inputs = text(section(body, "turtle-in"))
    assert "Work order" in inputs and "Raw material" in inputs
    assert "P-02 Production planning" in inputs and "P-04" not in inputs
    outputs = text(section(body, "turtle-out"))
    assert "Machined parts" in outputs and "P-04 Final inspection" in outputs
    assert "CNC mills" in text(section(body, "turtle-what"))
    whom = text(section(body, "turtle-whom"))
    assert "Qualified machinists" in whom
    assert "Release CNC programs System Manager A Production manager" in whom
    assert "Work instruction WI-12" in text(section(body, "turtle-how"))
    measured = text(section(body, "turtle-measured"))
    assert "Scrap rate" in measured and "Less scrap : Scrap rate ≤ 2 % by 2026-12-31" in measured
    risks = text(section(body, "turtle-risks"))
    assert "R-07 Machine breakdown 6" in risks and "R-08" not in risks


def test_an_empty_process_shows_dashes(client, personas):
    process = make_process(personas.org, "P-01", name="Bare process")
    login(client, personas.manager)
    body = client.get(reverse("workspace:process-turtle", args=[process.pk])).content.decode()
    assert "No process." in section(body, "turtle-in")
    assert "None linked." in section(body, "turtle-risks")


def test_text_is_escaped(client, personas):
    process = make_process(personas.org, "P-01", name="<script>x()</script>", inputs="<b>in</b>")
    login(client, personas.manager)
    body = client.get(reverse("workspace:process-turtle", args=[process.pk])).content.decode()
    assert "<script>x()" not in body and "&lt;script&gt;x()" in body
    assert "<b>in</b>" not in body


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_every_member_of_the_organization_sees_it_others_get_404(client, personas, role, machining):
    login(client, personas.users[role])
    response = client.get(reverse("workspace:process-turtle", args=[machining.pk]))
    assert response.status_code == (200 if role in ORGANIZATION_ROLES else 404)


def test_the_outsider_gets_404(client, personas, machining):
    login(client, personas.outsider)
    response = client.get(reverse("workspace:process-turtle", args=[machining.pk]))
    assert response.status_code == 404


def test_the_turtle_query_count_does_not_grow_with_linked_rows(client, personas):
    process = make_process(personas.org, "P-01", owner=personas.manager)
    login(client, personas.manager)
    url = reverse("workspace:process-turtle", args=[process.pk])
    link_rows(personas.org, process, 1, 1, personas.manager)
    small, _ = count_queries(lambda: client.get(url))
    link_rows(personas.org, process, 10, 8, personas.manager)
    large, response = count_queries(lambda: client.get(url))
    assert text(response.content.decode()).count("Activity 1") == 1 + 8  # 1 and 10 to 17
    assert small == large


# --- the extra part of the process page ----------------------------------------------------


def detail_html(personas, process, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    request.organization = personas.org
    extra = process_detail_context(request, process)
    return render_to_string(
        "system/_process_detail.html", {"object": process, "extra": extra}, request=request
    )


def test_the_process_page_part_shows_hand_overs_risks_objectives_and_responsibilities(
    personas, machining
):
    html = detail_html(personas, machining, personas.employee)
    fed_by = html[html.index('id="detail-fed-by"') :]
    assert "P-02 Production planning" in fed_by[: fed_by.index("</ul>")]
    feeds = html[html.index('id="detail-feeds"') :]
    assert "P-04 Final inspection" in feeds[: feeds.index("</ul>")]
    assert "R-07" in html and "R-08" not in html
    assert "Less scrap" in html and "Release CNC programs" in html
    assert reverse("workspace:process-turtle", args=[machining.pk]) in html
    assert reverse("workspace:process-map") in html
    assert f"?process={machining.pk}" in html


def test_the_process_page_part_makes_the_same_queries_whatever_the_rows(personas):
    process = make_process(personas.org, "P-01")
    link_rows(personas.org, process, 1, 1, personas.manager)
    detail_html(personas, process, personas.manager)  # the user's roles are read once, then kept
    small, _ = count_queries(lambda: detail_html(personas, process, personas.manager))
    link_rows(personas.org, process, 10, 6, personas.manager)
    large, html = count_queries(lambda: detail_html(personas, process, personas.manager))
    assert html.count("Activity 1") == 7
    assert small == large
