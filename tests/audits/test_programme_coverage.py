"""The programme's coverage matrix: which requirements and processes each audit covers, the
gaps, on the programme's page and in the API, at a constant query count."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.audits.models import ChecklistItem
from pdca.audits.programme_pages import programme_coverage
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement, Standard
from pdca.system.models import AdoptedStandard, ManagementSystem, Process
from tests.audits.test_audit_register import make_audit, make_process, make_programme

pytestmark = pytest.mark.django_db


def _clauses(code: str, *numbers: str) -> list[Requirement]:
    found = {
        r.number: r for r in Requirement.objects.filter(standard__code=code, number__in=numbers)
    }
    return [found[n] for n in numbers]


@pytest.fixture
def world(personas, catalog):
    org = personas.org
    programme = make_programme(org)
    production = make_process(org, 1, name="Production")
    purchasing = make_process(org, 2, name="Purchasing")
    make_process(org, 3, name="Old process", status=Process.Status.RETIRED)
    first = make_audit(org, 1, programme=programme)
    second = make_audit(org, 2, programme=programme)
    make_audit(org, 3)  # not in the programme
    q41, q92 = _clauses("iso9001-2015", "4.1", "9.2")
    first.requirements.set([q41])
    first.processes.set([production])
    item = ChecklistItem.objects.create(
        organization=org, audit=second, requirement=q92, question="Audits planned?", sort_key="9.2"
    )
    item.covers.set([q92])
    return programme, first, second, production, purchasing, q41, q92


def test_rows_cells_and_gaps(world):
    programme, first, second, _production, _purchasing, _q41, _q92 = world
    coverage = programme_coverage(programme)
    assert [a.pk for a in coverage.audits] == [first.pk, second.pk]
    assert [(r.label, r.cells, r.gap) for r in coverage.requirement_rows] == [
        ("ISO 9001 4.1", [True, False], False),
        ("ISO 9001 9.2", [False, True], False),
    ]
    assert [(r.label, r.cells, r.gap) for r in coverage.process_rows] == [
        ("P-01", [True, False], False),
        ("P-02", [False, False], True),
    ]
    assert (coverage.requirement_gaps, coverage.process_gaps) == (0, 1)


def test_with_a_system_every_clause_of_its_standards_is_a_row(personas, world):
    programme, _first, _second, *_ = world
    system = ManagementSystem.objects.create(organization=personas.org, name="IMS")
    standard = Standard.objects.get(code="iso9001-2015")
    AdoptedStandard.objects.create(
        organization=personas.org, system=system, standard=standard, adopted_on=dt.date(2026, 1, 1)
    )
    programme.system = system
    programme.save()
    coverage = programme_coverage(programme)
    clauses = Requirement.objects.filter(standard=standard, kind="clause", retired=False).count()
    assert len(coverage.requirement_rows) == clauses
    assert coverage.requirement_gaps == clauses - 2


def test_page_and_api(client, personas, world):
    programme, first, second, production, purchasing, q41, q92 = world
    login(client, personas.employee)
    response = client.get(f"/audit-programmes/{programme.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong id="process-gaps">1</strong>' in html
    assert 'P-02 Purchasing <span class="badge text-bg-warning">gap</span>' in html
    response = client.get(f"/api/v1/audit-programmes/{programme.pk}/coverage/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [a["id"] for a in body["audits"]] == [first.pk, second.pk]
    assert body["processes"] == [
        {
            "id": production.pk,
            "label": "P-01",
            "title": "Production",
            "audits": [first.pk],
            "gap": False,
            "excluded": None,
        },
        {
            "id": purchasing.pk,
            "label": "P-02",
            "title": "Purchasing",
            "audits": [],
            "gap": True,
            "excluded": None,
        },
    ]
    assert [(r["id"], r["audits"]) for r in body["requirements"]] == [
        (q41.pk, [first.pk]),
        (q92.pk, [second.pk]),
    ]
    assert (body["requirement_gaps"], body["process_gaps"]) == (0, 1)
    login(client, personas.outsider)
    assert client.get(f"/api/v1/audit-programmes/{programme.pk}/coverage/").status_code == 404
    assert client.get(f"/audit-programmes/{programme.pk}/").status_code == 404


def test_query_count_does_not_grow(client, personas, world):
    programme = world[0]
    login(client, personas.manager)
    url = f"/api/v1/audit-programmes/{programme.pk}/coverage/"
    page = f"/audit-programmes/{programme.pk}/"
    n_api, _ = count_queries(lambda: client.get(url))
    n_page, _ = count_queries(lambda: client.get(page))
    requirements = list(Requirement.objects.filter(standard__code="iso14001-2015")[:20])
    for i in range(8):
        audit = make_audit(personas.org, 10 + i, programme=programme)
        audit.requirements.set(requirements[i : i + 5])
        audit.processes.set([make_process(personas.org, 10 + i)])
    n_api_large, response = count_queries(lambda: client.get(url))
    assert len(response.json()["audits"]) == 10
    n_page_large, _ = count_queries(lambda: client.get(page))
    assert (n_api_large, n_page_large) == (n_api, n_page)


def test_excluded_requirements_are_shown_excluded_and_are_not_gaps(personas, world):
    from pdca.system.models import Exclusion

    programme, *_ = world
    system = ManagementSystem.objects.create(organization=personas.org, name="IMS")
    standard = Standard.objects.get(code="iso9001-2015")
    AdoptedStandard.objects.create(
        organization=personas.org, system=system, standard=standard, adopted_on=dt.date(2026, 1, 1)
    )
    (design,) = _clauses("iso9001-2015", "8.3")
    Exclusion.objects.create(
        organization=personas.org,
        system=system,
        requirement=design,
        justification="No design: we build to customers' drawings.",
    )
    programme.system = system
    programme.save()
    coverage = programme_coverage(programme)
    rows = {r.label: r for r in coverage.requirement_rows}
    under = [r for label, r in rows.items() if label.startswith("ISO 9001 8.3")]
    assert len(under) > 1
    assert all(r.excluded == "No design: we build to customers' drawings." for r in under)
    assert not any(r.gap for r in under)
    clauses = Requirement.objects.filter(standard=standard, kind="clause", retired=False).count()
    assert coverage.requirement_gaps == clauses - 2 - len(under)
    assert rows["ISO 9001 8.3.3"].as_dict()["excluded"].startswith("No design")
