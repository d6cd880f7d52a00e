"""`run_rehearsal` and `compare`: dated runs with their digest, counts and activity entry,
the comparison of a run with the one before it (by the same side), the requirement each
finding cites, and refusals that write nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.accounts.models import User
from pdca.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.engagements.models import PredictedFinding, Rehearsal
from pdca.engagements.rehearsal.rules import load_rules
from pdca.engagements.rehearsal.selectors import previous_run
from pdca.engagements.rehearsal.services import compare, run_rehearsal
from pdca.system.models import ManagementSystem

from .factories import ISMS, QMS, make_system, open_grant, requirement
from .records import nonconformity, objective

pytestmark = pytest.mark.usefixtures("catalog")


def findings(rehearsal: Rehearsal) -> dict[str, PredictedFinding]:
    return {f.key: f for f in rehearsal.findings.select_related("standard", "requirement")}


def test_a_run_is_dated_and_records_its_rules_and_counts(personas):
    system = make_system(personas.org, (QMS, ISMS))
    rehearsal = run_rehearsal(system, actor=personas.manager)
    rules = load_rules()
    assert rehearsal.organization_id == personas.org.pk
    assert rehearsal.run_by == personas.manager
    assert rehearsal.run_for is None and rehearsal.grant is None
    assert rehearsal.rules_digest == rules.digest and len(rules.digest) == 64
    assert rehearsal.standards == ["iso9001-2015", "iso27001-2022"]  # by standard name
    rows = list(rehearsal.findings.all())
    assert rehearsal.majors == sum(1 for f in rows if f.grade == "major")
    assert rehearsal.minors == sum(1 for f in rows if f.grade == "minor")
    assert rehearsal.majors and rehearsal.minors
    # The 14001 and 45001 rules do not apply to this system.
    assert rehearsal.rules_run == len([r for r in rules.rules if r.code[:3] != "LEG"])
    failed = {f.rule for f in rows}
    assert rehearsal.rules_passed == rehearsal.rules_run - len(failed)
    entry = ActivityEntry.objects.get(object_type="engagements.rehearsal", object_id=rehearsal.pk)
    assert entry.action == "run" and entry.organization_id == personas.org.pk
    assert entry.changes["majors"] == rehearsal.majors
    assert entry.changes["rules_digest"] == rules.digest


def test_each_finding_names_the_requirement_the_rule_and_the_page(personas):
    system = make_system(personas.org, (QMS, ISMS))
    case = nonconformity(system)
    case.requirements.add(requirement(QMS, "8.7.1"))
    rehearsal = run_rehearsal(system, actor=personas.manager)
    by_key = findings(rehearsal)
    review = by_key["MR-01:iso9001-2015:9.3:"]
    assert review.requirement == requirement(QMS, "9.3")
    assert review.grade == "major" and review.fix_url == "/management-reviews/schedule/"
    soa = by_key["SOA-01:iso27001-2022:6.1.3 d):"]
    assert soa.requirement == requirement(ISMS, "6.1.3")
    assert by_key[f"NC-01:iso9001-2015:8.7.1:{case.pk}"].fix_url == f"/nonconformities/{case.pk}/"
    policy = by_key["DOC-01:iso9001-2015:5.2.2:5.2.2"]
    assert policy.title == "Mandatory document missing: quality policy"
    assert policy.fix_url == "/documents/coverage/"


def test_a_fact_about_the_whole_system_is_cited_in_each_standard(personas):
    system = make_system(personas.org, (QMS, ISMS))
    rehearsal = run_rehearsal(system, actor=personas.manager)
    audits = [f for f in rehearsal.findings.all() if f.rule == "AUD-01"]
    assert sorted((f.standard.code, f.clause) for f in audits) == [
        ("iso27001-2022", "9.2"),
        ("iso9001-2015", "9.2"),
    ]


def test_the_next_run_compares_by_key_new_resolved_still_open(personas):
    system = make_system(personas.org, (QMS,))
    first = run_rehearsal(system, actor=personas.manager)
    objective(system, started=10)  # resolves OBJ-01 (too new for OBJ-02)
    case = nonconformity(system)  # a new major
    second = run_rehearsal(system, actor=personas.manager)
    assert second.run_at >= first.run_at
    assert previous_run(second) == first and previous_run(first) is None
    result = compare(second)
    assert result.previous == first and result.same_rules
    assert [f.key for f in result.new] == [f"NC-01:*:10.2:{case.pk}"]
    assert [f.key for f in result.resolved] == ["OBJ-01:iso9001-2015:6.2:"]
    assert {f.key for f in result.still_open} == set(findings(first)) - {"OBJ-01:iso9001-2015:6.2:"}
    assert result.status_of(result.new[0]) == "new"
    assert result.status_of(result.still_open[0]) == "still_open"
    data = result.as_dict()
    assert data["previous_id"] == first.pk and data["resolved"][0]["rule"] == "OBJ-01"


def test_a_first_run_has_every_finding_new(personas):
    system = make_system(personas.org, (QMS,))
    result = compare(run_rehearsal(system, actor=personas.manager))
    assert result.previous is None and result.resolved == [] and result.still_open == []
    assert len(result.new) == PredictedFinding.objects.count()


def test_runs_with_other_rules_are_flagged_when_compared(personas):
    system = make_system(personas.org, (QMS,))
    first = run_rehearsal(system, actor=personas.manager)
    Rehearsal.objects.filter(pk=first.pk).update(rules_digest="0" * 64)
    assert compare(run_rehearsal(system, actor=personas.manager)).same_rules is False


def test_runs_are_ordered_by_date_then_id(personas):
    system = make_system(personas.org, (QMS,))
    first = run_rehearsal(system, actor=personas.manager)
    second = run_rehearsal(system, actor=personas.manager)
    Rehearsal.objects.filter(pk=second.pk).update(run_at=first.run_at)
    second.refresh_from_db()
    assert previous_run(second) == first
    Rehearsal.objects.filter(pk=first.pk).update(run_at=first.run_at + dt.timedelta(hours=1))
    first.refresh_from_db()
    assert previous_run(first) == second


def test_a_certification_body_run_is_owned_by_the_client_and_names_the_grant(personas):
    system = make_system(personas.org, (QMS,))
    grant = open_grant(personas, system)
    own = run_rehearsal(system, actor=personas.manager)
    auditor = personas.users["lead_auditor"]
    theirs = run_rehearsal(system, actor=auditor)
    assert theirs.organization_id == personas.org.pk
    assert theirs.run_for == personas.cb and theirs.grant == grant
    # Each side's runs form their own series.
    assert previous_run(theirs) is None
    assert previous_run(run_rehearsal(system, actor=personas.manager)) == own
    entry = ActivityEntry.objects.get(object_type="engagements.rehearsal", object_id=theirs.pk)
    assert entry.organization_id == personas.org.pk and entry.actor == auditor
    assert f"under grant G-{grant.pk}" in entry.message


# --- refusals ------------------------------------------------------------------------------


def nothing_written() -> None:
    assert Rehearsal.objects.count() == 0 and PredictedFinding.objects.count() == 0
    assert not ActivityEntry.objects.filter(object_type="engagements.rehearsal").exists()


def test_a_system_without_a_standard_is_refused(personas):
    system = ManagementSystem.objects.create(organization=personas.org, name="Empty")
    with pytest.raises(ValidationFailed) as refused:
        run_rehearsal(system, actor=personas.manager)
    assert refused.value.errors[0].field == "system"
    assert refused.value.errors[0].code == "no_standards"
    nothing_written()


def test_an_unsaved_system_is_refused(personas):
    with pytest.raises(ValidationFailed) as refused:
        run_rehearsal(ManagementSystem(organization=personas.org, name="X"), actor=personas.manager)
    assert refused.value.errors[0].field == "system"
    nothing_written()


@pytest.mark.parametrize("role", ["employee", "process_owner", "internal_auditor", "admin"])
def test_a_member_whose_role_may_not_run_it_is_refused(personas, role):
    system = make_system(personas.org, (QMS,))
    with pytest.raises(PermissionDenied):
        run_rehearsal(system, actor=personas.users[role])
    nothing_written()


def test_another_organization_and_a_body_without_grant_do_not_find_the_system(personas):
    system = make_system(personas.org, (QMS,))
    for actor in (personas.outsider, personas.users["lead_auditor"], None):
        with pytest.raises(NotFound):
            run_rehearsal(system, actor=actor)
    nothing_written()


def test_a_body_member_outside_the_listed_roles_does_not_find_the_system(personas):
    system = make_system(personas.org, (QMS,))
    open_grant(personas, system)
    with pytest.raises(NotFound):
        run_rehearsal(system, actor=User.objects.get(email="admin@cb.example"))
    nothing_written()
