"""Each rule of rules.yaml, one by one: a case that triggers it and one that does not. A rule
added to the file without a case here fails `test_every_rule_has_its_two_cases`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from pdca.engagements.rehearsal.engine import CHECKS, Context, Hit
from pdca.engagements.rehearsal.rules import load_rules
from pdca.system.models import Objective

from .factories import EMS, ISMS, QMS, TODAY, make_system
from .records import (
    DAY,
    approve,
    audit_of_clauses,
    competence,
    document,
    evaluated,
    every_document_published,
    exclusion,
    internal_audit,
    manager_trained,
    measured_objective,
    nonconformity,
    objective,
    obligation,
    process,
    review,
    review_with_inputs,
    risk,
    soa,
)

pytestmark = pytest.mark.usefixtures("catalog")


def run_rule(system, code: str) -> list[Hit]:
    rule = load_rules().by_code()[code]
    return CHECKS[rule.check].function(Context.for_system(system, TODAY), rule)


def text_of(hits: list[Hit]) -> str:
    return "\n".join(f"{h.title} | {h.detail}" for h in hits)


# --- the cases ----------------------------------------------------------------------------

Arrange = Callable[..., object]


def nothing(system, personas) -> None:
    return None


@dataclass(frozen=True)
class Case:
    """A rule's two cases: data that makes it raise a finding that says `says`, and data
    that makes it raise none."""

    trigger: Arrange
    clear: Arrange
    says: str
    codes: tuple[str, ...] = (QMS,)


CASES: dict[str, Case] = {
    "DOC-01": Case(nothing, every_document_published, "quality policy"),
    "DOC-02": Case(
        lambda s, p: document(s, "5.2.2", "in_review"),
        lambda s, p: document(s, "5.2.2", "published"),
        "not approved yet (versions in review)",
    ),
    "AUD-01": Case(
        lambda s, p: internal_audit(s, ended=400),
        lambda s, p: internal_audit(s),
        "No internal audit of this system reached its report",
    ),
    "AUD-02": Case(
        lambda s, p: audit_of_clauses(s, ["4.1", "5.1"]),
        lambda s, p: audit_of_clauses(s, ["4.1", "5.1", "6.2", "7.5", "8.3", "9.2", "10.2"]),
        "6 Planning",
    ),
    "AUD-03": Case(
        lambda s, p: (process(s), internal_audit(s)),
        lambda s, p: internal_audit(s).processes.add(process(s)),
        "P-01 Sales",
    ),
    "MR-01": Case(
        lambda s, p: review(s, days=400),
        lambda s, p: review(s),
        "the next was due on",
    ),
    "MR-02": Case(
        lambda s, p: review(s),
        review_with_inputs,
        "not considered: Status of actions from previous management reviews",
    ),
    "OBJ-01": Case(
        lambda s, p: Objective.objects.filter(pk=objective(s).pk).update(status="cancelled"),
        lambda s, p: objective(s),
        "The register of objectives is empty.",
    ),
    "OBJ-02": Case(lambda s, p: objective(s), measured_objective, "On-time delivery"),
    "RISK-01": Case(
        nothing, lambda s, p: risk(s), "holds no risk, opportunity or information security risk"
    ),
    "RISK-02": Case(
        lambda s, p: risk(s),
        lambda s, p: risk(s, inherent_likelihood=2, inherent_impact=2, inherent_score=4),
        "1 open entry of the risk register not rated: R-1.",
    ),
    "RISK-03": Case(
        lambda s, p: risk(s, inherent_score=20, status="assessed"),
        lambda s, p: risk(s, inherent_score=20, treatment="reduce", treatment_plan="Second source"),
        "above the acceptance threshold (6) without treatment: R-1",
    ),
    "RISK-04": Case(
        lambda s, p: risk(s),
        lambda s, p: risk(s, kind="infosec", asset="CRM", threat="Phishing"),
        "holds no information security risk",
        (ISMS,),
    ),
    "SOA-01": Case(
        lambda s, p: soa(s),
        lambda s, p: approve(soa(s), p),
        "has never been approved",
        (ISMS,),
    ),
    "SOA-02": Case(
        lambda s, p: soa(s, decided=False),
        lambda s, p: soa(s),
        "control(s) not yet decided",
        (ISMS,),
    ),
    "SOA-03": Case(
        lambda s, p: approve(soa(s), p, lines=[]),
        lambda s, p: approve(soa(s), p),
        "differs from version 1",
        (ISMS,),
    ),
    "COMP-01": Case(
        lambda s, p: competence(s, role="employee"),
        lambda s, p: competence(s),
        "Top management",
    ),
    "COMP-02": Case(
        lambda s, p: competence(s, role="system_manager"),
        manager_trained,
        "System Manager A (System manager: CR-1)",
    ),
    "LEG-01": Case(
        lambda s, p: obligation(s, status="ended"),
        lambda s, p: obligation(s),
        "holds none that applies",
        (EMS,),
    ),
    "LEG-02": Case(
        lambda s, p: obligation(s),
        evaluated,
        "No evaluation of compliance was recorded in the last 12 months.",
        (EMS,),
    ),
    "LEG-03": Case(
        lambda s, p: obligation(s, next_evaluation_due=TODAY - DAY),
        lambda s, p: obligation(s, next_evaluation_due=TODAY + DAY),
        "Waste permit",
        (EMS,),
    ),
    "NC-01": Case(
        lambda s, p: nonconformity(s),
        lambda s, p: (nonconformity(s, status="closed"), nonconformity(s, severity="minor")),
        "“NC-1 Burrs on batch 4520” is triaged.",
    ),
    "EXC-01": Case(
        lambda s, p: exclusion(s, QMS, "8.3", "n/a"),
        lambda s, p: exclusion(s, QMS, "8.3", "We make to customer drawings only."),
        "with only “n/a” as justification",
    ),
    "EXC-02": Case(
        lambda s, p: exclusion(s, QMS, "7.2", "We hire competent people only."),
        lambda s, p: exclusion(s, QMS, "8.3", "We make to customer drawings only."),
        "ISO 9001 7.2 (Competence) is declared not applicable",
    ),
}


def test_every_rule_has_its_two_cases():
    assert set(CASES) == set(load_rules().by_code())


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_rule_raises_a_finding_when_its_case_is_met(personas, code):
    case = CASES[code]
    system = make_system(personas.org, case.codes)
    case.trigger(system, personas)
    hits = run_rule(system, code)
    assert hits, code
    assert case.says in text_of(hits)
    assert {h.standard.code for h in hits if h.standard} <= set(case.codes)


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_rule_raises_nothing_when_the_records_are_in_order(personas, code):
    case = CASES[code]
    system = make_system(personas.org, case.codes)
    case.clear(system, personas)
    assert run_rule(system, code) == []


def test_a_rule_for_other_standards_does_not_run(personas):
    system = make_system(personas.org, (QMS,))
    assert Context.for_system(system, TODAY).standards_for(load_rules().by_code()["SOA-01"]) == []


def test_an_excluded_requirement_needs_no_document(personas):
    system = make_system(personas.org, (QMS,))
    exclusion(system, QMS, "8.5", "We provide no production of our own, only design work.")
    subjects = {h.subject for h in run_rule(system, "DOC-01")}
    assert "8.5.1" not in subjects and "5.2.2" in subjects


def test_another_organizations_records_do_not_count(personas):
    system = make_system(personas.org, (QMS,))
    theirs = make_system(personas.other, (QMS,), name="B system")
    internal_audit(theirs)
    objective(theirs)
    assert run_rule(system, "AUD-01") and run_rule(system, "OBJ-01")
