"""The one rule of what a management system excludes, shared by coverage, readiness,
checklists and audit programmes."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.standards.models import Requirement, Standard
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem
from pdca.system.selectors import excluded_requirements

pytestmark = pytest.mark.usefixtures("catalog")


def _system(org, name):
    system = ManagementSystem.objects.create(organization=org, name=name)
    AdoptedStandard.objects.create(
        organization=org,
        system=system,
        standard=Standard.objects.get(code="iso9001-2015"),
        adopted_on=dt.date(2026, 1, 1),
    )
    return system


def _req(number):
    return Requirement.objects.get(standard__code="iso9001-2015", number=number)


def _exclude(system, number, why):
    Exclusion.objects.create(
        organization=system.organization, system=system, requirement=_req(number), justification=why
    )


def test_a_clause_brings_every_level_under_it_and_a_sub_exclusion_keeps_its_reason(personas):
    ims, other = _system(personas.org, "IMS"), _system(personas.org, "Site B")
    _exclude(ims, "8.3", "No design.")
    _exclude(ims, "8.3.4", "Controls of design: none.")
    _exclude(other, "7.1.5.2", "No traceable measurements.")
    found = excluded_requirements([ims.pk, other.pk])
    under_design = Requirement.objects.filter(
        standard__code="iso9001-2015", number__startswith="8.3"
    )
    assert set(found[ims.pk]) == {r.pk for r in under_design}
    assert found[ims.pk][_req("8.3.2").pk] == "No design."
    assert found[ims.pk][_req("8.3.4").pk] == "Controls of design: none."
    assert found[other.pk] == {_req("7.1.5.2").pk: "No traceable measurements."}


def test_no_system_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert excluded_requirements([]) == {}
