"""The SoA and risk controls across an edition with Annex A controls: a made-up successor of
ISO/IEC 27001:2022 (the catalog has none yet) with one control the same, one changed and one
new."""

from __future__ import annotations

import pytest

from pdca.risks.models import ControlApplicability, Risk, StatementOfApplicability
from pdca.risks.soa.services import create_soa
from pdca.standards.models import EditionMapping, Requirement, Standard, number_sort_key
from pdca.system import services
from pdca.system.transition.services import preview_transition, transition_system

OLD = "iso27001-2022"


def control(standard: Standard, number: str, title: str) -> Requirement:
    return Requirement.objects.create(
        standard=standard,
        number=number,
        title=title,
        kind=Requirement.Kind.CONTROL,
        summary=f"{title}, in our words.",
        sort_key=number_sort_key(number),
    )


@pytest.fixture
def successor(catalog) -> Standard:
    old = Standard.objects.get(code=OLD)
    new = Standard.objects.create(
        code="iso27001-2099",
        name="ISO/IEC 27001",
        title="Information security management systems",
        edition="2099",
        discipline="information_security",
        structure="hs-2021",
        replaces=old,
    )
    same = control(new, "A.5.1", "Policies for information security")
    changed = control(new, "A.5.2", "Information security roles and responsibilities")
    added = control(new, "A.9.1", "Something new")
    for number, target, change in (("A.5.1", same, "same"), ("A.5.2", changed, "changed")):
        EditionMapping.objects.create(
            old_standard=old,
            new_standard=new,
            old=old.requirements.get(number=number),
            new=target,
            change=change,
            note="" if change == "same" else "Roles now include the supply chain.",
            sort_key=target.sort_key,
        )
    EditionMapping.objects.create(
        old_standard=old,
        new_standard=new,
        new=added,
        change="new",
        note="A new control.",
        sort_key=added.sort_key,
    )
    for requirement in old.requirements.exclude(number__in=["A.5.1", "A.5.2"]):
        EditionMapping.objects.create(
            old_standard=old,
            new_standard=new,
            old=requirement,
            change="removed",
            sort_key=requirement.sort_key + "~",
        )
    return new


def test_the_soa_and_risk_controls_follow_the_mapping(personas, successor):
    manager = personas.manager
    old = Standard.objects.get(code=OLD)
    system = services.create_system(
        personas.org, name="ISMS", standards=[old], owner=manager, actor=manager
    )
    soa = create_soa(personas.org, old, system=system, actor=manager)
    policies = soa.lines.get(control__number="A.5.1")
    ControlApplicability.objects.filter(pk=policies.pk).update(
        applicable=True, justification="Required by risk R-1", implementation="implemented"
    )
    ControlApplicability.objects.filter(soa=soa, control__number="A.5.2").update(
        applicable=True, justification="Needed", implementation="partial"
    )
    risk = Risk.objects.create(organization=personas.org, code="R-1", title="Leaks")
    risk.controls.add(old.requirements.get(number="A.5.1"))
    policies.risks.add(risk)

    preview = preview_transition(system, successor, actor=manager)
    soa_section = next(s for s in preview.sections if s.key == "soa")
    assert {(m.new, m.outcome) for m in soa_section.moves if m.subject.startswith("SoA")} == {
        ("A.5.1", "carried"),
        ("A.5.2", "reopened"),
        ("A.9.1", "opened"),
    }
    transition_system(system, successor, actor=manager)

    new_soa = StatementOfApplicability.objects.get(organization=personas.org, standard=successor)
    lines = {line.control.number: line for line in new_soa.lines.select_related("control")}
    assert set(lines) == {"A.5.1", "A.5.2", "A.9.1"}
    assert (lines["A.5.1"].applicable, lines["A.5.1"].implementation) == (True, "implemented")
    assert lines["A.5.1"].justification == "Required by risk R-1"
    assert list(lines["A.5.1"].risks.all()) == [risk]
    assert (lines["A.5.2"].applicable, lines["A.5.2"].implementation) == (None, "not_started")
    assert "supply chain" in lines["A.5.2"].notes
    assert lines["A.9.1"].applicable is None
    # The old SoA is untouched, and the risk keeps its old control beside the new one.
    assert soa.lines.get(control__number="A.5.1").implementation == "implemented"
    assert {(c.standard.code, c.number) for c in risk.controls.all()} == {
        (OLD, "A.5.1"),
        ("iso27001-2099", "A.5.1"),
    }
