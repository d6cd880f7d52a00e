"""A gap assessment item shows the register entries that answer its requirement."""

from __future__ import annotations

import pytest

from pdca.assessments.services import create_assessment
from pdca.core.registers.coverage import answers_for
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement
from pdca.system.models import ContextIssue, InterestedParty, Process
from pdca.system.services import create_system

pytestmark = pytest.mark.django_db


def _system(personas, codes=("iso9001-2015", "iso14001-2015")):
    from pdca.standards.models import Standard

    return create_system(
        personas.org,
        name="IMS",
        standards=list(Standard.objects.filter(code__in=codes)),
        actor=personas.manager,
    )


def test_the_register_answers_its_clause_in_every_standard(personas, catalog):
    ContextIssue.objects.create(
        organization=personas.org, title="Energy prices", origin="external", category="economic"
    )
    q41 = Requirement.objects.get(standard__code="iso9001-2015", number="4.1")
    e41 = Requirement.objects.get(standard__code="iso14001-2015", number="4.1")
    answers = answers_for([q41, e41], personas.org, personas.employee)
    assert [(a.spec.slug, a.register_count, a.linked_count) for a in answers] == [
        ("context-issues", 1, 0)
    ]


def test_hand_made_links_are_listed(personas, catalog):
    req = Requirement.objects.get(standard__code="iso9001-2015", number="8.4.1")
    process = Process.objects.create(organization=personas.org, code="S-01", name="Purchasing")
    process.requirements.set([req])
    Process.objects.create(
        organization=personas.other, code="S-01", name="Theirs"
    ).requirements.set([req])
    answers = answers_for([req], personas.org, personas.manager)
    assert [(a.spec.slug, a.linked) for a in answers] == [("processes", [process])]
    assert answers[0].register_count is None


def test_the_query_count_does_not_grow_with_links(personas, catalog):
    req = Requirement.objects.get(standard__code="iso9001-2015", number="4.2")
    InterestedParty.objects.create(
        organization=personas.org, name="P0", origin="external", category="customer", needs="x"
    ).requirements.set([req])
    answers_for([req], personas.org, personas.manager)  # warm the per-user role cache
    small, _ = count_queries(lambda: answers_for([req], personas.org, personas.manager))
    for i in range(1, 8):
        InterestedParty.objects.create(
            organization=personas.org,
            name=f"P{i}",
            origin="external",
            category="customer",
            needs="x",
        ).requirements.set([req])
    large, answers = count_queries(lambda: answers_for([req], personas.org, personas.manager))
    assert large == small
    assert answers[0].linked_count == 8


def test_the_gap_item_page_shows_the_answering_registers(client, personas, catalog):
    system = _system(personas)
    assessment = create_assessment(system, title="Baseline", actor=personas.manager)
    ContextIssue.objects.create(
        organization=personas.org, title="Ageing machines", origin="internal", category="weakness"
    )
    item = assessment.items.get(covers__number="4.1", covers__standard__code="iso9001-2015")
    login(client, personas.employee)
    html = client.get(f"/assessments/items/{item.pk}/").content.decode()
    section = html.split('id="answers"', 1)[1].split("</section>", 1)[0]
    assert "Context issues" in section
    assert "(1 entry)" in section
