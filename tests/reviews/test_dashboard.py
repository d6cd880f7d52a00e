"""The top-management dashboard's figures: each tile on known data (exact values), the cheap
count of competence gaps against the competence matrix it stands in for, what a role that may
not see a register gets, and a constant number of queries as every register grows.

`build` is shared with `test_dashboard_access.py` (pages, API, PDF, CLI)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from pdca.assessments.models import GapItem
from pdca.assessments.services import create_assessment
from pdca.audits.models import Audit, AuditProgramme
from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.documents.models import Document
from pdca.improvement.models import Nonconformity
from pdca.people.models import CompetenceRequirement, TrainingPath, TrainingRecord
from pdca.people.services.competence import competence_matrix
from pdca.people.services.gaps import count_gaps
from pdca.reviews.dashboard.figures import dashboard_for
from pdca.reviews.models import ManagementReview
from pdca.risks.models import Risk
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard, ManagementSystem, Measurement, Objective
from pdca.tenancy.models import Membership

pytestmark = pytest.mark.usefixtures("catalog")

TODAY = dt.date(2026, 6, 15)
D = dt.date
S = Nonconformity.Status


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=dt.UTC)


# --- data ---------------------------------------------------------------------------------


def make_system(org, name: str, codes=("iso9001-2015", "iso27001-2022")) -> ManagementSystem:
    system = ManagementSystem.objects.create(
        organization=org, name=name, status="implementing", certification_target_date=D(2027, 3, 1)
    )
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=D(2025, 1, 1),
        )
    return system


def make_nc(org, n: int, reported: dt.datetime, **fields) -> Nonconformity:
    nc = Nonconformity.objects.create(
        organization=org,
        reference=f"NC-{n:03d}",
        title=f"Problem {n}",
        description="Found.",
        source="internal_audit",
        **fields,
    )
    Nonconformity.objects.filter(pk=nc.pk).update(created_at=reported)
    return nc


def make_objective(org, n: int, *measured, **fields) -> Objective:
    values = {
        "title": f"Objective {n}",
        "kpi": "Share",
        "unit": "%",
        "baseline": Decimal(0),
        "target": Decimal(100),
        "start_date": D(2026, 1, 1),
        "due_date": D(2026, 12, 31),
        **fields,
    }
    objective = Objective.objects.create(organization=org, **values)
    for day, value in measured:
        Measurement.objects.create(
            organization=org, objective=objective, measured_on=day, value=Decimal(value)
        )
    return objective


def make_risk(org, code: str, inherent: int, residual: int | None = None, **fields) -> Risk:
    return Risk.objects.create(
        organization=org,
        code=code,
        title=f"Risk {code}",
        inherent_score=inherent,
        residual_score=residual,
        **fields,
    )


def make_document(org, code: str, due: dt.date | None, **fields) -> Document:
    return Document.objects.create(
        organization=org, code=code, title=f"Procedure {code}", review_due=due, **fields
    )


def make_audit(org, ref: str, audit_type: str, start: dt.date, **fields) -> Audit:
    standards = fields.pop("standards", ())
    audit = Audit.objects.create(
        organization=org,
        reference=ref,
        title=f"Audit {ref}",
        audit_type=audit_type,
        start_date=start,
        end_date=fields.pop("end_date", start),
        **fields,
    )
    audit.standards.set(Standard.objects.filter(code__in=standards))
    return audit


def record(org, person, title: str, **fields) -> TrainingRecord:
    return TrainingRecord.objects.create(organization=org, person=person, title=title, **fields)


def build_competence(org, users) -> None:
    """Five requirements and records giving six mandatory gaps among five people (see
    `test_competence_gaps_on_known_data`)."""
    path = TrainingPath.objects.create(organization=org, code="induction", title="Induction")
    Membership.objects.filter(organization=org, user=users[Role.EMPLOYEE]).update(team="Quality")
    req = CompetenceRequirement.objects.create
    cr1 = req(organization=org, code="CR-1", title="Safe work", evaluation="assessed")
    cr2 = req(
        organization=org,
        code="CR-2",
        title="Auditor course",
        evaluation="qualification",
        role=Role.INTERNAL_AUDITOR,
        validity_months=12,
    )
    cr3 = req(
        organization=org,
        code="CR-3",
        title="Process experience",
        evaluation="experience",
        role=Role.PROCESS_OWNER,
        min_experience_months=12,
    )
    req(organization=org, code="CR-4", title="Nice to have", evaluation="assessed", mandatory=False)
    req(organization=org, code="CR-5", title="Induction", path=path, team="QUALITY")
    record(
        org, users[Role.SYSTEM_MANAGER], "Safe work", requirement=cr1, completed_on=D(2026, 1, 5)
    )
    # Attendance shows an "assessed" requirement; an expired pass does not.
    record(org, users[Role.EMPLOYEE], "Safe work", requirement=cr1, result="attended")
    record(
        org,
        users[Role.INTERNAL_AUDITOR],
        "Safe work",
        requirement=cr1,
        completed_on=D(2024, 1, 1),
        expires_on=D(2026, 1, 1),
    )
    # Valid for 12 months from completion: expired on 2026-01-01.
    record(org, users[Role.INTERNAL_AUDITOR], "Course", requirement=cr2, completed_on=D(2025, 1, 1))
    record(
        org,
        users[Role.PROCESS_OWNER],
        "Running the process",
        requirement=cr3,
        kind="experience",
        started_on=D(2025, 1, 1),
        completed_on=D(2026, 1, 1),
    )
    record(org, users[Role.EMPLOYEE], "Induction", path=path, completed_on=D(2026, 2, 1))


def build(personas) -> dict:
    """Org A's "IMS" (9001 and 27001) with a record of every kind around TODAY, a second empty
    system, and org B's own system and nonconformity. The expected figures are in the tests."""
    org, other, users = personas.org, personas.other, personas.users
    manager = users[Role.SYSTEM_MANAGER]
    ims = make_system(org, "IMS")
    make_system(org, "Food safety", codes=("iso22000-2018",))
    b_system = make_system(other, "B system")
    make_nc(other, 1, at(2026, 6, 1))
    # Readiness: an older closed assessment, nothing done; the open one, everything partial.
    old = create_assessment(ims, title="Baseline", started_on=D(2025, 9, 1), actor=manager)
    old.status = "closed"
    old.save(update_fields=["status"])
    current = create_assessment(ims, title="Half-year", started_on=D(2026, 3, 1), actor=manager)
    GapItem.objects.filter(assessment=current).update(status="partial")
    # Objectives: on track, off track, at risk, no data, achieved, stale; a closed and an
    # archived one are left out.
    make_objective(org, 1, (D(2026, 6, 1), 60))
    make_objective(org, 2, (D(2026, 6, 1), 10), title="Scrap under 2%")
    make_objective(org, 3, (D(2026, 6, 1), 35))
    make_objective(org, 4)
    make_objective(org, 5, (D(2026, 6, 1), 100))
    make_objective(org, 6, (D(2026, 1, 10), 50))
    make_objective(org, 7, (D(2024, 3, 1), 5), (D(2026, 3, 1), 90), status="achieved")
    make_objective(org, 8, (D(2026, 5, 1), 1), archived_at=at(2026, 5, 2))
    # Nonconformities.
    make_nc(org, 1, at(2026, 6, 10), severity="major", due_date=D(2026, 6, 1))
    make_nc(org, 2, at(2026, 4, 1), severity="minor", status=S.CONTAINED)
    make_nc(org, 3, at(2026, 1, 15), status=S.TRIAGED)
    make_nc(org, 4, at(2026, 5, 16), severity="major")
    make_nc(org, 5, at(2026, 2, 1), severity="minor", status=S.CLOSED, closed_at=at(2026, 2, 11))
    make_nc(org, 6, at(2026, 3, 1), severity="major", status=S.CLOSED, closed_at=at(2026, 4, 20))
    make_nc(org, 7, at(2025, 1, 1), status=S.CLOSED, closed_at=at(2025, 3, 1))
    make_nc(org, 8, at(2026, 6, 1), status=S.DISMISSED, closed_at=at(2026, 6, 2))
    make_nc(org, 9, at(2026, 6, 1), severity="major", archived_at=at(2026, 6, 3))
    # Risks (the default method accepts scores up to 6).
    make_risk(org, "R-1", 16)
    make_risk(org, "R-2", 16, 4)
    make_risk(org, "IS-1", 9, kind="infosec")
    make_risk(org, "R-4", 25, status="closed")
    make_risk(org, "O-1", 25, kind="opportunity")
    make_risk(org, "R-6", 6)
    make_risk(org, "R-7", 25, archived_at=at(2026, 1, 1))
    make_risk(other, "R-1", 25)
    # Documents.
    make_document(org, "QP-1", D(2026, 5, 1))
    make_document(org, "QP-2", D(2026, 6, 14))
    make_document(org, "QP-3", TODAY)
    make_document(org, "QP-4", D(2026, 7, 15))
    make_document(org, "QP-5", D(2026, 7, 16))
    make_document(org, "QP-6", D(2026, 1, 1), obsolete=True)
    make_document(org, "QP-7", D(2026, 1, 1), archived_at=at(2026, 2, 1))
    build_competence(org, users)
    # The audit programme of 2026 (and last year's, not shown), with its audits.
    AuditProgramme.objects.create(
        organization=org,
        system=ims,
        title="2025",
        period_start=D(2025, 1, 1),
        period_end=D(2025, 12, 31),
    )
    programme = AuditProgramme.objects.create(
        organization=org,
        system=ims,
        title="Internal audits 2026",
        period_start=D(2026, 1, 1),
        period_end=D(2026, 12, 31),
        status="approved",
    )
    internal = {"programme": programme}
    make_audit(org, "IA-1", "internal", D(2026, 2, 1), status="closed", **internal)
    make_audit(org, "IA-2", "internal", D(2026, 3, 1), status="report_issued", **internal)
    make_audit(org, "IA-3", "internal", D(2026, 6, 10), end_date=D(2026, 6, 20),
               status="in_progress", **internal)  # fmt: skip
    make_audit(org, "IA-4", "internal", D(2026, 4, 28), end_date=D(2026, 5, 1), **internal)
    make_audit(org, "IA-5", "internal", D(2026, 9, 1), **internal)
    make_audit(org, "IA-6", "internal", D(2026, 9, 2), archived_at=at(2026, 1, 1), **internal)
    # Certification audits: of a standard of the system, of none, of the programme; earlier,
    # another standard's and an internal one are not among them.
    make_audit(
        org, "S2", "stage2", D(2026, 7, 1), end_date=D(2026, 7, 3), standards=["iso9001-2015"]
    )
    make_audit(org, "SV", "surveillance", D(2026, 9, 1))
    make_audit(org, "SP", "special", D(2026, 10, 1), **internal)
    make_audit(org, "S1", "stage1", D(2026, 5, 1), standards=["iso9001-2015"])
    make_audit(org, "EMS", "surveillance", D(2026, 8, 1), standards=["iso14001-2015"])
    make_audit(org, "IA-7", "internal", D(2026, 11, 1), standards=["iso9001-2015"])
    # Management reviews.
    ManagementReview.objects.create(
        organization=org,
        system=ims,
        title="2025 review",
        meeting_date=D(2025, 12, 1),
        status="held",
    )
    ManagementReview.objects.create(
        organization=org, system=ims, title="2026 review", meeting_date=D(2026, 11, 20)
    )
    return {"ims": ims, "b_system": b_system, "programme": programme}


def months(counts: dict[tuple[int, int], int]) -> list[dict]:
    """The twelve months to TODAY's, with `counts` by (year, month) and 0 elsewhere."""
    keys = [(2025, m) for m in range(7, 13)] + [(2026, m) for m in range(1, 7)]
    return [{"month": f"{y}-{m:02d}-01", "count": counts.get((y, m), 0)} for y, m in keys]


@pytest.fixture
def world(personas):
    return build(personas)


def figures(world, personas, role=Role.TOP_MANAGEMENT) -> dict:
    return dashboard_for(world["ims"], user=personas.users[role], today=TODAY).as_dict()


# --- each tile on known data --------------------------------------------------------------


def test_the_dashboard_names_the_system_and_its_standards(world, personas):
    data = figures(world, personas)
    assert (data["organization"], data["system_name"], data["today"]) == (
        "org-a",
        "IMS",
        "2026-06-15",
    )
    assert data["standards"] == ["ISO 9001:2015", "ISO/IEC 27001:2022"]


def test_readiness_per_standard_from_the_latest_open_assessment(world, personas):
    r = figures(world, personas)["readiness"]
    assert (r["assessment_title"], r["started_on"], r["overall"]) == (
        "Half-year",
        "2026-03-01",
        50.0,
    )
    assert [(s["code"], s["percent"]) for s in r["standards"]] == [
        ("iso9001-2015", 50.0),
        ("iso27001-2022", 50.0),
    ]
    assert [(p["title"], p["percent"]) for p in r["history"]] == [
        ("Baseline", 0.0),
        ("Half-year", 50.0),
    ]
    assert r["url"] == f"/assessments/{r['assessment_id']}/"


def test_objectives_on_and_off_track(world, personas):
    o = figures(world, personas)["objectives"]
    counts = {
        k: o[k] for k in ("active", "on_track", "at_risk", "off_track", "achieved", "no_data")
    }
    assert counts == {"active": 6, "on_track": 2, "at_risk": 1, "off_track": 1, "achieved": 1,
                      "no_data": 1}  # fmt: skip
    assert o["stale"] == 1
    assert [i["label"] for i in o["attention"]] == ["Scrap under 2%", "Objective 3"]
    assert o["attention"][0]["detail"] == "Off track · latest 10% · target 100% by 2026-12-31"
    assert o["measurements_by_month"] == months({(2026, 1): 1, (2026, 3): 1, (2026, 6): 4})
    assert o["url"] == "/objectives/"


def test_open_nonconformities_by_grade_and_age(world, personas):
    n = figures(world, personas)["nonconformities"]
    assert (n["open"], n["major"], n["minor"], n["not_graded"], n["overdue"]) == (4, 2, 1, 1, 1)
    # 5 days; 75 and exactly 30 days; 151 days.
    assert (n["under_30_days"], n["days_30_to_90"], n["over_90_days"]) == (1, 2, 1)
    assert n["opened_by_month"] == months({(2026, m): 1 for m in range(1, 7)})
    assert n["closed_by_month"] == months({(2026, 2): 1, (2026, 4): 1})
    assert n["url"] == "/nonconformities/"


def test_cycle_time_of_the_last_twelve_months(world, personas):
    c = figures(world, personas)["cycle_time"]
    # 10 and 50 days; the one closed in 2025 is older than twelve months.
    assert (c["closed"], c["median_days"], c["p90_days"]) == (2, 30.0, 50.0)
    by_month = {m["month"]: (m["closed"], m["median_days"]) for m in c["by_month"]}
    assert by_month["2026-02-01"] == (1, 10.0) and by_month["2026-04-01"] == (1, 50.0)
    assert by_month["2026-03-01"] == (0, None)


def test_risks_above_the_acceptance_threshold(world, personas):
    k = figures(world, personas)["risks"]
    assert (k["threshold"], k["open"], k["above"], k["above_risk"], k["above_infosec"]) == (
        6, 4, 2, 1, 1,
    )  # fmt: skip
    assert [i["label"] for i in k["top"]] == ["R-1 Risk R-1", "IS-1 Risk IS-1"]
    assert k["top"][0]["detail"] == "score 16 · Risk · Identified"


def test_documents_past_review(world, personas):
    d = figures(world, personas)["documents"]
    assert (d["past_review"], d["due_within_30_days"]) == (2, 2)
    assert [i["label"] for i in d["oldest"]] == ["QP-1 Procedure QP-1", "QP-2 Procedure QP-2"]
    assert d["url"] == "/documents/?sort=review_due"


def test_competence_gaps_on_known_data(world, personas):
    g = figures(world, personas)["competence"]
    assert (g["people"], g["requirements"], g["gaps"]) == (7, 5, 6)
    assert (g["people_with_gaps"], g["people_competent"]) == (5, 2)
    matrix = competence_matrix(personas.org, as_of=TODAY)
    assert (len(matrix.gaps), matrix.people_competent) == (6, 2)


def test_audit_programme_progress(world, personas):
    p = figures(world, personas)["audit_programme"]
    assert (p["title"], p["status"]) == ("Internal audits 2026", "Approved")
    assert (p["planned"], p["done"], p["in_progress"], p["overdue"]) == (6, 2, 1, 1)
    assert p["percent"] == 33.3
    assert p["url"] == f"/audit-programmes/{world['programme'].pk}/"


def test_next_certification_audits_and_no_invented_certificate(world, personas):
    c = figures(world, personas)["certification"]
    assert [a["reference"] for a in c["upcoming"]] == ["S2", "SV", "SP"]
    assert c["upcoming_count"] == 3
    assert (c["upcoming"][0]["start_date"], c["upcoming"][0]["end_date"]) == (
        "2026-07-01",
        "2026-07-03",
    )
    assert (c["certificate_linked"], c["certificate_expires"]) == (False, None)
    assert (c["system_status"], c["certification_target_date"]) == ("implementing", "2027-03-01")


def test_last_and_next_management_review(world, personas):
    m = figures(world, personas)["management_review"]
    assert (m["last_held"], m["next_planned"], m["next_due"]) == (
        "2025-12-01",
        "2026-11-20",
        "2026-12-01",
    )
    assert (m["overdue"], m["due_soon"], m["interval_months"]) == (False, False, 12)


def test_an_empty_system_shows_zeros_not_errors(world, personas):
    food = ManagementSystem.objects.get(name="Food safety")
    data = dashboard_for(food, user=personas.manager, today=TODAY).as_dict()
    assert data["readiness"]["assessment_id"] is None
    assert data["audit_programme"]["programme_id"] is None
    # An audit tied to no programme and no standard shows on every system's dashboard.
    assert [a["reference"] for a in data["certification"]["upcoming"]] == ["SV"]
    assert data["objectives"]["active"] == 6  # the organization's objectives, every system


def test_a_role_that_may_not_see_training_records_gets_no_competence_figures(world, personas):
    data = figures(world, personas, Role.PROCESS_OWNER)
    assert data["competence"] == {
        "available": False, "url": "/training/matrix/", "people": 0, "requirements": 0,
        "people_competent": 0, "people_with_gaps": 0, "gaps": 0,
    }  # fmt: skip
    assert data["nonconformities"]["open"] == 4 and data["risks"]["above"] == 2


def test_the_operator_at_the_command_line_sees_everything(world, personas):
    data = dashboard_for(world["ims"], user=None, today=TODAY).as_dict()
    assert data["competence"]["gaps"] == 6 and data["nonconformities"]["open"] == 4


# --- the cheap gap count against the competence matrix -------------------------------------


def test_gap_count_matches_the_competence_matrix_on_random_data(personas):
    """Random members, requirements and records exercising every rule, compared on several
    dates with the matrix the count stands in for."""
    from pdca.accounts.models import User

    rng = random.Random(19)
    org = personas.org
    path = TrainingPath.objects.create(organization=org, code="p", title="Path")
    teams, positions = ["Assembly", "assembly", "Office", ""], ["Operator", "operator", ""]
    for i in range(25):
        user = User.objects.create_user(f"p{i}@a.example", "x-password-1", full_name=f"P {i}")
        Membership.objects.create(
            organization=org,
            user=user,
            role=rng.choice([Role.EMPLOYEE, Role.PROCESS_OWNER, Role.INTERNAL_AUDITOR]),
            team=rng.choice(teams),
            job_title=rng.choice(positions),
        )
    requirements = []
    for n, evaluation in enumerate(["assessed", "qualification", "experience", "path_passed"] * 2):
        requirements.append(
            CompetenceRequirement.objects.create(
                organization=org,
                code=f"R-{n}",
                title=f"Requirement {n}",
                evaluation=evaluation,
                path=path if evaluation == "path_passed" else None,
                min_experience_months=rng.choice([6, 12, 24])
                if evaluation == "experience"
                else None,
                validity_months=rng.choice([None, 12, 24]),
                mandatory=rng.random() < 0.8,
                role=rng.choice(["", "", Role.EMPLOYEE]),
                team=rng.choice(["", "", "ASSEMBLY"]),
                position=rng.choice(["", "", "OPERATOR"]),
            )
        )
    people = [m.user for m in Membership.objects.filter(organization=org)]
    for _ in range(220):
        requirement = rng.choice(requirements)
        completed = D(2026, 6, 15) - dt.timedelta(days=rng.randint(-30, 900))
        by_path = requirement.path_id is not None and rng.random() < 0.7
        record(
            org,
            rng.choice(people),
            "Evidence",
            requirement=None if by_path else requirement,
            path=path if by_path else None,
            kind=rng.choice(["training", "experience", "audit", "qualification"]),
            result=rng.choice(["passed", "passed", "attended", "failed"]),
            started_on=completed - dt.timedelta(days=rng.randint(0, 800)),
            completed_on=None if rng.random() < 0.1 else completed,
            expires_on=rng.choice([None, completed + dt.timedelta(days=rng.randint(30, 900))]),
        )
    for day in (D(2025, 1, 1), D(2026, 6, 15), D(2027, 6, 1)):
        matrix = competence_matrix(org, as_of=day)
        found = count_gaps(org, as_of=day)
        with_gaps = sum(1 for row in matrix.rows if not row.competent)
        assert (found.gaps, found.people_competent, found.people_with_gaps, found.people) == (
            len(matrix.gaps),
            matrix.people_competent,
            with_gaps,
            len(matrix.rows),
        ), day
        assert found.gaps > 0


# --- queries ------------------------------------------------------------------------------


def grow(personas, world, n: int) -> None:
    """`n` more rows of every kind the dashboard reads."""
    org, manager = personas.org, personas.manager
    base = 100 * n
    programme = world["programme"]
    for i in range(n):
        k = base + i
        objective = make_objective(org, k, (D(2026, 5, 1), 30 + i))
        Measurement.objects.create(organization=org, objective=objective, measured_on=D(2026, 2, 1),
                                   value=Decimal(5))  # fmt: skip
        make_nc(org, k, at(2026, 1 + i % 6, 3), severity="major", status=S.CLOSED,
                closed_at=at(2026, 6, 1))  # fmt: skip
        make_nc(org, k + 50, at(2025, 8, 1), due_date=D(2026, 1, 1))
        make_risk(org, f"G-{k}", 20, kind="infosec")
        make_document(org, f"G-{k}", D(2026, 1, 1 + i))
        make_audit(org, f"G-{k}", "internal", D(2026, 8, 1), programme=programme)
        make_audit(org, f"C-{k}", "surveillance", D(2026, 8, 2), standards=["iso9001-2015"])
        record(org, manager, "Course", requirement=CompetenceRequirement.objects.get(code="CR-2"))
        ManagementReview.objects.create(
            organization=org, system=world["ims"], title=f"R {k}", meeting_date=D(2024, 1, 1 + i)
        )
    create_assessment(world["ims"], title=f"Check {n}", started_on=D(2026, 4, n), actor=manager)


def test_queries_do_not_grow_with_the_records(world, personas):
    user = personas.users[Role.TOP_MANAGEMENT]

    def read():
        return dashboard_for(world["ims"], user=user, today=TODAY)

    read()  # the user's roles are read once and kept: not a figure's query
    grow(personas, world, 2)
    small, first = count_queries(read)
    grow(personas, world, 9)
    large, second = count_queries(read)
    assert large == small
    assert second.nonconformities.open > first.nonconformities.open
    assert second.certification.upcoming_count > first.certification.upcoming_count
