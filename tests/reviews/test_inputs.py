"""Each review input's figures against seeded registers: rows in the period count, rows before
its start or after its as-of date, archived rows, another organization's rows (and another
system's, where the input is per system) do not; every figure and row links to its register.

Rows are made through the registers' and apps' services where one exists, then moved back in
time with a plain update (`dated`); outcomes that only a workflow step writes (closed,
dismissed, done, recorded) are set the same way, as if the step had run on that day. The
standards' own registers use their apps' test factories. Inputs are compiled for a `Window`
built here, so each test says exactly which period it reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from pdca.audits.models import Finding
from pdca.audits.registers import AUDITS
from pdca.continuity.models import BusinessImpactAnalysis
from pdca.core.registers.services import create_entry
from pdca.core.roles import Role
from pdca.documents.models import Document
from pdca.improvement.registers import OPPORTUNITIES
from pdca.improvement.reporting import report_nonconformity
from pdca.reviews import services
from pdca.reviews.inputs import INPUTS, Window
from pdca.reviews.inputs import common as _common  # noqa: F401  (declares the inputs)
from pdca.reviews.inputs import standards as _standards  # noqa: F401  (declares the inputs)
from pdca.reviews.inputs.registry import months_before
from pdca.reviews.models import ReviewOutput
from pdca.risks.actions import add_treatment_action
from pdca.risks.models import ControlApplicability, Risk
from pdca.risks.registers import AI_SYSTEMS, IMPACT_ASSESSMENTS, RISKS
from pdca.risks.soa.services import create_soa
from pdca.standards.models import Standard
from pdca.system.models import AdoptedStandard
from pdca.system.objectives.services import record_measurement
from pdca.system.registers import CONTEXT_ISSUES, INTERESTED_PARTIES, OBJECTIVES
from pdca.tenancy.models import Membership
from tests.continuity import factories as continuity
from tests.environment import factories as environment
from tests.food import factories as food
from tests.people.factories import record, requirement
from tests.safety import factories as safety

from .factories import make_output, make_review, make_system

pytestmark = pytest.mark.django_db

# --- the period every test reads --------------------------------------------------------------

TODAY = timezone.localdate()


def day(days_ago: int) -> dt.date:
    return TODAY - dt.timedelta(days=days_ago)


START = day(120)  # the period starts after this day…
AS_OF = day(30)  # …and ends on this one.
DURING = day(60)
BEFORE = START  # the start day itself is outside the period
LONG_BEFORE = day(300)
AFTER = day(29)  # the day after the as-of date
LATER = day(-30)  # a due date still ahead

QMS, EMS, OHS, ISMS, AIMS, FSMS, BCMS = (
    "iso9001-2015",
    "iso14001-2015",
    "iso45001-2018",
    "iso27001-2022",
    "iso42001-2023",
    "iso22000-2018",
    "iso22301-2019",
)

# --- which inputs the tests cover ---------------------------------------------------------------

DECLARED = {item.key: item for item in INPUTS}
COVERED: set[str] = set()


def covers(key: str) -> Callable[[Callable], Callable]:
    """Mark the test of an input (at import time, whichever tests run)."""
    assert key in DECLARED, f"no input is declared as {key!r}"
    COVERED.add(key)
    return lambda test: test


# --- seeding ------------------------------------------------------------------------------------


def noon(on: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on, dt.time(12)))


def manager_of(org):
    return Membership.objects.get(organization=org, role=Role.SYSTEM_MANAGER).user


def dated(obj, created: dt.date, changed: dt.date | None = None, **fields: Any):
    """`obj` as if created on `created` and last changed on `changed` (the same day unless
    given), with `fields` set as the workflow step that writes them would have."""
    type(obj).objects.filter(pk=obj.pk).update(
        created_at=noon(created), updated_at=noon(changed or created), **fields
    )
    obj.refresh_from_db()
    return obj


def archived(obj):
    type(obj).objects.filter(pk=obj.pk).update(
        archived_at=timezone.now(), archive_reason="Entered twice"
    )
    obj.refresh_from_db()
    return obj


def add(spec, org, on: dt.date = DURING, changed: dt.date | None = None, **fields: Any):
    """An entry made through its register by the organization's system manager."""
    return dated(create_entry(spec, org, actor=manager_of(org), **fields), on, changed)


#: The sources anyone may report; an audit's finding opens the others.
REPORTED_SOURCES = {"employee", "complaint", "incident", "deviation", "supplier"}


def nonconformity(org, reported: dt.date, title: str = "", source: str = "employee", **fields):
    nc = report_nonconformity(
        org,
        actor=manager_of(org),
        title=title or f"Reported {reported:%Y-%m-%d}",
        description="Found on the shop floor.",
        source=source if source in REPORTED_SOURCES else "employee",
    )
    return dated(nc, reported, source=source, **fields)


def opportunity(org, title: str, on: dt.date = DURING, changed=None, **fields):
    return add(OPPORTUNITIES, org, on, changed, title=title, **fields)


INFOSEC_FIELDS = {"asset": "Customer database", "threat": "Ransomware", "confidentiality": True}


def risk(org, code: str, kind: str = "risk", on: dt.date = DURING, changed=None, **fields):
    extra = INFOSEC_FIELDS if kind == Risk.Kind.INFOSEC else {}
    values = {"kind": kind, "code": code, "title": f"Risk {code}", **extra, **fields}
    return add(RISKS, org, on, changed, **values)


def objective(org, title: str, on: dt.date = LONG_BEFORE, **fields):
    values = {
        "kpi": f"{title} indicator",
        "unit": "%",
        "target": Decimal("90"),
        "start_date": day(400),
        "due_date": LATER,
        **fields,
    }
    return add(OBJECTIVES, org, on, title=title, **values)


def measured(objective_, on: dt.date, value) -> None:
    record_measurement(
        objective_, measured_on=on, value=value, actor=manager_of(objective_.organization)
    )


def audit(org, title: str, ended: dt.date, audit_type: str = "internal", grades=()):
    """An audit that ended on `ended`, with one finding per grade in `grades`."""
    made = add(
        AUDITS,
        org,
        ended,
        title=title,
        audit_type=audit_type,
        start_date=ended - dt.timedelta(days=1),
        end_date=ended,
    )
    for number, grade in enumerate(grades, start=1):
        Finding.objects.create(
            organization=org,
            audit=made,
            number=number,
            grade=grade,
            title=f"Finding {number}",
            requirement_statement="Calibrated gauges",
            evidence="Gauge G-12 label",
            statement="Gauge past its calibration date",
        )
    return made


# --- compiling ----------------------------------------------------------------------------------


def compiled(
    key: str,
    org,
    *,
    system=None,
    review=None,
    as_of: dt.date = AS_OF,
    start: dt.date = START,
) -> dict[str, Any]:
    window = Window(
        organization=org, system=system, review=review, as_of=as_of, start=start, standards=()
    )
    return DECLARED[key].compile(window)


def values(data: dict) -> dict[str, Any]:
    return {f["label"]: f["value"] for f in data["figures"]}


def links(data: dict) -> dict[str, str]:
    """The figures that link somewhere, and where."""
    return {f["label"]: f["url"] for f in data["figures"] if f["url"]}


def listed(data: dict) -> list[tuple[str, str]]:
    return [(r["label"], r["url"]) for r in data["rows"]]


# --- the inputs every system reviews ------------------------------------------------------------


@covers("previous_actions")
def test_previous_actions_count_every_earlier_review_of_the_system_and_list_the_last_ones(
    catalog, personas
):
    org = personas.org
    system = make_system(org)
    last = make_review(org, 60, system=system, title="Last review", status="approved")
    older = make_review(org, 400, system=system, title="Older review", status="approved")
    current = make_review(org, 0, system=system, previous=last)

    def output(review, title, **fields):
        return make_output(org, review=review, title=title, **fields)

    done = output(last, "Train the buyers", status="done", due_date=day(90), completed_on=DURING)
    late = output(last, "Audit the coating supplier", due_date=day(1))
    running = output(last, "Replace the press guard", due_date=LATER)
    dropped = output(last, "Move the warehouse", status="cancelled", completed_on=DURING)
    old_open = output(older, "Write the recall procedure", due_date=day(390))
    output(older, "Hire a second engineer", status="done", completed_on=day(380))  # not listed
    # Not counted: this review's own, a cancelled or later review's, an archived one, another
    # system's, another organization's.
    output(current, "Decided today")
    output(make_review(org, 90, system=system, status="cancelled"), "Never decided")
    output(make_review(org, -10, system=system), "Planned meeting")
    archived(output(last, "Entered twice"))
    output(make_review(org, 60, system=make_system(org, (EMS,), "EMS")), "Other system")
    make_output(personas.other, title="Other organization")

    data = compiled("previous_actions", org, system=system, review=current, as_of=TODAY)

    assert values(data) == {
        "Actions decided": 6,
        "Done": 2,
        "Open": 3,
        "Open past their due date": 2,
        "Cancelled": 1,
    }
    assert links(data) == {
        "Actions decided": "/review-actions/",
        "Done": "/review-actions/?status=done",
        "Open": "/review-actions/?status=open",
        "Cancelled": "/review-actions/?status=cancelled",
    }
    # The last review's outputs and any older one still open: open ones first, soonest due.
    assert listed(data) == [
        (o.title, f"/review-actions/{o.pk}/") for o in (old_open, late, running, done, dropped)
    ]
    assert data["rows"][1]["detail"] == f"Open · no owner · due {day(1)} · from {DURING}"


def test_previous_actions_done_after_the_as_of_date_were_still_open_on_it(catalog, personas):
    org = personas.org
    system = make_system(org)
    last = make_review(org, 60, system=system, status="approved")
    make_output(org, review=last, status="done", due_date=LATER, completed_on=AFTER)

    data = compiled("previous_actions", org, system=system, review=None, as_of=AS_OF)

    assert values(data)["Open"] == 1
    assert values(data)["Done"] == 0


@covers("context_changes")
def test_context_changes_count_entries_added_and_changed_in_the_period(catalog, personas):
    org, other = personas.org, personas.other

    def issue(org, title, on, changed=None):
        values = {"title": title, "origin": "external", "category": "economic"}
        return add(CONTEXT_ISSUES, org, on, changed, **values)

    def party(org, name, on, changed=None):
        values = {"name": name, "origin": "external", "category": "customer", "needs": "On time"}
        return add(INTERESTED_PARTIES, org, on, changed, **values)

    energy = issue(org, "Energy prices", AS_OF)  # added on the last day of the period
    rival = issue(org, "New competitor", DURING)
    issue(org, "Ageing workforce", LONG_BEFORE, DURING)  # changed
    issue(org, "Exchange rates", BEFORE)  # added on the start day: before the period
    issue(org, "Skills shortage", LONG_BEFORE, AFTER)  # changed after the as-of date
    issue(org, "Trade tariffs", AFTER)
    issue(other, "Another organization's issue", DURING)
    party(org, "Key customer", DURING)
    party(org, "Regulator", LONG_BEFORE, AS_OF)  # changed
    party(org, "Landlord", LONG_BEFORE)
    party(other, "Another organization's party", DURING)
    risk(org, "R-1", on=DURING)
    risk(org, "O-1", kind="opportunity", on=LONG_BEFORE, changed=DURING)
    risk(org, "IS-1", kind="infosec", on=DURING)  # not a risk or opportunity of 6.1.1
    risk(org, "R-2", on=AFTER)
    risk(other, "R-1", on=DURING)

    data = compiled("context_changes", org)

    assert values(data) == {
        "Issues added": 2,
        "Issues changed": 1,
        "Interested parties added": 1,
        "Interested parties changed": 1,
        "Risks and opportunities added": 1,
        "Risks and opportunities changed": 1,
    }
    assert links(data) == {
        "Issues added": "/context-issues/",
        "Issues changed": "/context-issues/",
        "Interested parties added": "/interested-parties/",
        "Interested parties changed": "/interested-parties/",
        "Risks and opportunities added": "/risks/",
        "Risks and opportunities changed": "/risks/",
    }
    assert listed(data) == [
        ("Energy prices", f"/context-issues/{energy.pk}/"),
        ("New competitor", f"/context-issues/{rival.pk}/"),
    ]
    assert data["note"] == f"Changes from {START} to {AS_OF}."


@covers("objectives")
def test_objectives_count_each_tracking_status_of_the_objectives_set_by_the_as_of_date(
    catalog, personas
):
    org = personas.org
    met = objective(org, "On-time delivery", due_date=LATER)
    measured(met, DURING, 95)
    missed = objective(org, "Scrap rate", due_date=day(40))  # due, nothing measured
    waiting = objective(org, "Energy per part", due_date=day(-60))  # not due, nothing measured
    closed = objective(org, "Complaints", due_date=day(100), status="not_achieved")
    objective(org, "Dropped", status="cancelled")
    archived(objective(org, "Entered twice"))
    objective(org, "Set after the as-of date", on=AFTER)
    objective(personas.other, "Another organization's")

    data = compiled("objectives", org)

    assert values(data) == {
        "Objectives": 4,
        "Achieved": 1,
        "No data": 1,
        "Not achieved": 1,
        "Off track": 1,
    }
    assert data["off_track"] == 2
    assert links(data) == {"Objectives": "/objectives/"}
    assert listed(data) == [
        (o.title, f"/objectives/{o.pk}/") for o in (closed, missed, met, waiting)
    ]
    tones = {f["label"]: f["tone"] for f in data["figures"]}
    assert tones["Off track"] == tones["Not achieved"] == "bad"


def test_objectives_are_tracked_with_the_measurements_taken_by_the_as_of_date(catalog, personas):
    org = personas.org
    delivery = objective(org, "On-time delivery", due_date=LATER)
    measured(delivery, DURING, 95)  # met on the as-of date…
    measured(delivery, day(10), 50)  # …missed since

    data = compiled("objectives", org)

    assert values(data) == {"Objectives": 1, "Achieved": 1}


def test_an_objectives_row_shows_its_values_as_people_write_them(catalog, personas):
    delivery = objective(personas.org, "On-time delivery", target=Decimal("90"))
    measured(delivery, DURING, Decimal("95.5"))

    data = compiled("objectives", personas.org)

    assert data["rows"][0]["detail"] == "Achieved · latest 95.5 · target 90 %"


@covers("nonconformities")
def test_nonconformities_count_the_period_and_what_was_open_on_the_as_of_date(catalog, personas):
    org = personas.org
    major = nonconformity(org, DURING, "Burr on housing", severity="major", due_date=LATER)
    nonconformity(org, DURING, severity="minor", due_date=day(31))  # overdue
    closed = {"severity": "minor", "status": "closed"}
    nonconformity(org, day(110), closed_at=noon(day(35)), **closed)  # closed in 75 days
    nonconformity(org, day(220), closed_at=noon(DURING), **closed)  # closed in 160 days
    nonconformity(org, LONG_BEFORE)  # reported before the period, still open
    # Closed after the as-of date: still open on it.
    closed_later = nonconformity(
        org, day(100), "Wrong label", severity="major", status="closed", closed_at=noon(AFTER)
    )
    nonconformity(org, AFTER, severity="major")
    nonconformity(org, DURING, status="dismissed", closed_at=noon(AFTER))
    archived(nonconformity(org, DURING, severity="major"))
    nonconformity(personas.other, DURING, severity="major")

    data = compiled("nonconformities", org)

    assert values(data) == {
        "Reported in the period": 4,
        "Closed in the period": 2,
        "Open": 4,
        "Open majors": 2,
        "Open minors": 1,
        "Open past their due date": 1,
        "Median days to close": 117.5,
    }
    assert links(data) == {
        "Reported in the period": "/nonconformities/",
        "Closed in the period": "/nonconformities/?status=closed",
        "Open": "/nonconformities/",
        "Open majors": "/nonconformities/?severity=major",
        "Open minors": "/nonconformities/?severity=minor",
        "Median days to close": "/nonconformities/analytics/",
    }
    assert listed(data) == [
        (f"{nc.reference} {nc.title}", f"/nonconformities/{nc.pk}/") for nc in (closed_later, major)
    ]
    assert data["rows"][1]["detail"] == f"Reported · opened {DURING}"


def test_dismissed_nonconformities_do_not_count_in_the_days_to_close(catalog, personas):
    org = personas.org
    nonconformity(org, day(100), status="closed", closed_at=noon(day(40)))  # 60 days
    nonconformity(org, day(50), status="dismissed", closed_at=noon(day(49)))  # 1 day

    data = compiled("nonconformities", org)

    assert values(data)["Closed in the period"] == 1
    assert values(data)["Median days to close"] == 60.0


@covers("monitoring")
def test_monitoring_counts_measurements_of_the_period_and_active_objectives_without_one(
    catalog, personas
):
    org = personas.org
    delivery = objective(org, "On-time delivery")
    scrap = objective(org, "Scrap rate", direction="at_most", target=Decimal("2"))
    energy = objective(org, "Energy per part")
    measured(delivery, DURING, 80)
    measured(delivery, day(50), 85)
    measured(scrap, AS_OF, 3)
    measured(delivery, BEFORE, 70)  # on the start day: before the period
    measured(scrap, AFTER, 2)
    measured(energy, LONG_BEFORE, 12)  # not measured in the period
    objective(org, "Achieved already", status="achieved")
    archived(objective(org, "Entered twice"))
    objective(org, "Set after the as-of date", on=AFTER)
    measured(objective(personas.other, "Another organization's"), DURING, 1)

    data = compiled("monitoring", org)

    assert values(data) == {
        "Measurements recorded": 3,
        "Indicators measured": 2,
        "Active objectives not measured": 1,
    }
    assert links(data) == {"Measurements recorded": "/objectives/"}
    assert listed(data) == [("Energy per part", f"/objectives/{energy.pk}/")]
    assert data["rows"][0]["detail"] == "Energy per part indicator"


@covers("audit_results")
def test_audit_results_count_internal_and_certification_audits_that_ended_in_the_period(
    catalog, personas
):
    org = personas.org
    internal = audit(org, "Purchasing", DURING, grades=["major", "minor", "minor", "ofi"])
    stage2 = audit(org, "Stage 2", AS_OF, "stage2", grades=["minor", "observation", "strength"])
    audit(org, "Surveillance 1", BEFORE, "surveillance", grades=["major"])
    audit(org, "Production", AFTER, grades=["major"])
    audit(org, "Coating supplier", DURING, "supplier", grades=["major"])
    archived(audit(org, "Entered twice", DURING, grades=["major"]))
    audit(personas.other, "Another organization's", DURING, grades=["major"])

    data = compiled("audit_results", org)

    assert values(data) == {
        "Internal audits": 1,
        "Certification audits": 1,
        "Major nonconformity": 1,
        "Minor nonconformity": 3,
        "Observation": 1,
        "Opportunity for improvement": 1,
    }
    assert links(data) == {
        "Internal audits": "/audits/?audit_type=internal",
        "Certification audits": "/audits/",
    }
    assert listed(data) == [
        ("Stage 2", f"/audits/{stage2.pk}/"),
        ("Purchasing", f"/audits/{internal.pk}/"),
    ]
    assert data["rows"][1]["detail"] == (
        f"Internal audit · ended {DURING} · Planned · 1 major, 2 minor"
    )


@covers("providers")
def test_providers_count_supplier_parties_audits_and_nonconformities(catalog, personas):
    org, other = personas.org, personas.other

    def party(org, name, category="supplier"):
        values = {"name": name, "origin": "external", "category": category, "needs": "Orders"}
        return add(INTERESTED_PARTIES, org, **values)

    party(org, "Coating supplier")
    party(org, "Steel mill")
    archived(party(org, "Former carrier"))
    party(org, "Key customer", "customer")
    party(other, "Another organization's supplier")
    coating = audit(org, "Coating supplier", DURING, "supplier", grades=["major", "minor"])
    mill = audit(org, "Steel mill", AS_OF, "supplier", grades=["observation"])
    audit(org, "Carrier", BEFORE, "supplier", grades=["major"])
    archived(audit(org, "Entered twice", DURING, "supplier", grades=["major"]))
    audit(org, "Purchasing", DURING, grades=["minor"])  # internal
    audit(other, "Another organization's", DURING, "supplier", grades=["major"])
    nonconformity(org, DURING, source="supplier")
    nonconformity(org, AS_OF, source="supplier_audit")
    nonconformity(org, DURING, source="employee")
    nonconformity(org, DURING, source="supplier", status="dismissed", closed_at=noon(DURING))
    nonconformity(org, BEFORE, source="supplier")
    nonconformity(org, AFTER, source="supplier")
    nonconformity(other, DURING, source="supplier")

    data = compiled("providers", org)

    assert values(data) == {
        "Suppliers among interested parties": 2,
        "Supplier audits": 2,
        "Nonconformities about suppliers": 2,
        "Major nonconformity": 1,
        "Minor nonconformity": 1,
        "Observation": 1,
        "Opportunity for improvement": 0,
    }
    assert links(data) == {
        "Suppliers among interested parties": "/interested-parties/?category=supplier",
        "Supplier audits": "/audits/?audit_type=supplier",
        "Nonconformities about suppliers": "/nonconformities/?source=supplier",
    }
    assert listed(data) == [
        ("Steel mill", f"/audits/{mill.pk}/"),
        ("Coating supplier", f"/audits/{coating.pk}/"),
    ]


def test_providers_count_every_supplier_audit_beyond_the_rows_listed(catalog, personas):
    for index in range(13):
        audit(personas.org, f"Supplier {index}", DURING - dt.timedelta(days=index), "supplier")

    data = compiled("providers", personas.org)

    assert len(data["rows"]) == 12
    assert values(data)["Supplier audits"] == 13


def test_providers_leave_out_archived_nonconformities(catalog, personas):
    archived(nonconformity(personas.org, DURING, source="supplier"))

    data = compiled("providers", personas.org)

    assert values(data)["Nonconformities about suppliers"] == 0


@covers("resources")
def test_resources_count_competence_gaps_and_open_needs_for_resources(catalog, personas):
    org, manager = personas.org, personas.manager
    safety_rules = requirement(org, manager, "CR-01", title="Machine safety")  # everyone
    requirement(org, manager, "CR-02", title="Lean basics", mandatory=False)
    archived(requirement(org, manager, "CR-03", title="Withdrawn"))
    for role in (Role.EMPLOYEE, Role.PROCESS_OWNER):
        record(org, manager, personas.users[role], requirement=safety_rules)
    system = make_system(org)
    review = make_review(org, 60, system=system)
    make_output(org, review=review, kind="resource", title="Second forklift")
    make_output(org, review=review, kind="resource", title="Energy meter", status="done")
    ReviewOutput.objects.filter(title="Energy meter").update(completed_on=AFTER)  # open then
    make_output(
        org, review=review, kind="resource", title="Bought", status="done", completed_on=DURING
    )
    make_output(org, review=review, kind="action", title="An action, not a resource")
    archived(make_output(org, review=review, kind="resource", title="Entered twice"))
    elsewhere = make_review(org, 60, system=make_system(org, name="Another system"))
    make_output(org, review=elsewhere, kind="resource", title="Another system's")
    later = make_review(org, 10, system=system)  # met after the data date
    make_output(org, review=later, kind="resource", title="Decided later")
    make_output(personas.other, kind="resource", title="Another organization's")

    data = compiled("resources", org, system=system)

    assert Membership.objects.filter(organization=org).count() == 7
    assert values(data) == {
        "People": 7,
        "Fully competent": 2,
        "Mandatory competence gaps": 5,
        "Open needs for resources from reviews": 2,
    }
    assert links(data) == {
        "People": "/training/matrix/",
        "Fully competent": "/training/matrix/",
        "Mandatory competence gaps": "/training/matrix/",
        "Open needs for resources from reviews": "/review-actions/?kind=resource&status=open",
    }
    assert data["rows"] == []


@covers("risk_actions")
def test_risk_actions_count_treatment_actions_and_risks_above_the_acceptance_level(
    catalog, personas
):
    org = personas.org
    supplier = risk(org, "R-01", inherent_likelihood=3, inherent_impact=4)  # 12
    breach = risk(
        org,
        "IS-01",
        kind="infosec",
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=3,
        residual_impact=3,
        treatment="reduce",
        status="treating",
    )  # 9 after treatment
    treated = risk(
        org,
        "R-02",
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=2,
        residual_impact=2,
        treatment="reduce",
        status="treated",
    )  # 4 after treatment
    risk(org, "O-01", kind="opportunity", inherent_likelihood=5, inherent_impact=5)
    risk(org, "R-03", inherent_likelihood=5, inherent_impact=5, treatment="avoid", status="closed")
    archived(risk(org, "R-04", inherent_likelihood=5, inherent_impact=5))
    risk(personas.other, "R-01", inherent_likelihood=5, inherent_impact=5)

    def action(risk_, description, created=DURING, **fields):
        actor = manager_of(risk_.organization)
        made = add_treatment_action(risk_, actor=actor, description=description, **fields)
        return dated(made, created)

    action(treated, "Guard fitted", status="done", completed_on=DURING)
    action(treated, "Done on the start day", BEFORE, status="done", completed_on=BEFORE)
    action(supplier, "Second source found", status="open", due_date=day(31))  # overdue
    action(supplier, "Audit the supplier", status="open", due_date=LATER)
    action(supplier, "Added after the as-of date", AFTER, status="open", due_date=day(31))
    action(breach, "Dropped", status="cancelled")
    other_risk = Risk.objects.get(organization=personas.other)
    action(other_risk, "Another organization's", status="done", completed_on=DURING)

    data = compiled("risk_actions", org)

    assert values(data) == {
        "Treatment actions done": 1,
        "Treatment actions open": 2,
        "Open past their due date": 1,
        "Risks above the acceptance level (6)": 2,
    }
    assert links(data) == {
        "Treatment actions done": "/risks/",
        "Risks above the acceptance level (6)": "/risks/?status=treating",
    }
    assert listed(data) == [
        ("R-01 Risk R-01", f"/risks/{supplier.pk}/"),
        ("IS-01 Risk IS-01", f"/risks/{breach.pk}/"),
    ]
    assert [r["detail"] for r in data["rows"]] == [
        "score 12 · Identified",
        "score 9 · Treatment in progress",
    ]


def test_a_treatment_action_done_after_the_as_of_date_was_open_on_it(catalog, personas):
    org = personas.org
    supplier = risk(org, "R-01", inherent_likelihood=3, inherent_impact=4)
    made = add_treatment_action(
        supplier,
        actor=personas.manager,
        description="Second source found",
        status="done",
        due_date=day(31),
        completed_on=AFTER,
    )
    dated(made, DURING)

    data = compiled("risk_actions", org)

    assert values(data)["Treatment actions open"] == 1
    assert values(data)["Open past their due date"] == 1


@covers("improvement")
def test_improvement_counts_opportunities_raised_open_and_implemented(catalog, personas):
    org = personas.org
    kaizen = opportunity(org, "Kaizen board", DURING, due_date=day(-10))
    sensor = opportunity(org, "Leak sensor", LONG_BEFORE, status="in_progress", due_date=day(20))
    opportunity(org, "Quick changeover", LONG_BEFORE, DURING, status="implemented")
    opportunity(org, "Implemented long ago", LONG_BEFORE, status="implemented")
    opportunity(org, "Not worth it", DURING, status="rejected")
    opportunity(org, "Raised after the as-of date", AFTER)
    archived(opportunity(org, "Entered twice", DURING))
    opportunity(personas.other, "Another organization's", DURING)

    data = compiled("improvement", org)

    assert values(data) == {
        "Raised in the period": 2,
        "Open": 2,
        "Implemented in the period": 1,
    }
    assert links(data) == {
        "Raised in the period": "/opportunities/",
        "Open": "/opportunities/?status=open",
        "Implemented in the period": "/opportunities/?status=implemented",
    }
    assert listed(data) == [
        ("Leak sensor", f"/opportunities/{sensor.pk}/"),
        ("Kaizen board", f"/opportunities/{kaizen.pk}/"),
    ]
    assert data["rows"][0]["detail"] == "Suggestion"


# --- the inputs one standard adds ---------------------------------------------------------------


@covers("customer_feedback")
def test_customer_feedback_counts_complaints_and_customers_suggestions(catalog, personas):
    org, other = personas.org, personas.other
    nonconformity(org, DURING, source="complaint")
    nonconformity(org, AS_OF, source="complaint")
    nonconformity(org, DURING, source="complaint", status="dismissed", closed_at=noon(DURING))
    nonconformity(org, BEFORE, source="complaint")
    nonconformity(org, AFTER, source="complaint")
    nonconformity(org, DURING, source="employee")
    nonconformity(other, DURING, source="complaint")
    opportunity(org, "Online order tracking", DURING, source="customer")
    opportunity(org, "Staff idea", DURING, source="suggestion")
    opportunity(org, "Older customer idea", BEFORE, source="customer")
    opportunity(other, "Another organization's", DURING, source="customer")

    data = compiled("customer_feedback", org)

    assert values(data) == {"Customer complaints": 2, "Suggestions from customers": 1}
    assert links(data) == {
        "Customer complaints": "/nonconformities/?source=complaint",
        "Suggestions from customers": "/opportunities/?source=customer",
    }
    assert data["rows"] == []


def test_customer_feedback_leaves_out_archived_complaints_and_suggestions(catalog, personas):
    org = personas.org
    archived(nonconformity(org, DURING, source="complaint"))
    archived(opportunity(org, "Entered twice", DURING, source="customer"))

    data = compiled("customer_feedback", org)

    assert values(data) == {"Customer complaints": 0, "Suggestions from customers": 0}


@covers("environment")
def test_environment_counts_evaluations_overdue_obligations_and_significant_aspects(
    catalog, personas
):
    org, other = personas.org, personas.other

    def evaluation(org, index, on, result="compliant", status="recorded"):
        return environment.make_evaluation(
            org, index, evaluated_on=on, result=result, status=status
        )

    evaluation(org, 1, DURING)
    evaluation(org, 2, AS_OF, "partial")
    evaluation(org, 3, DURING, "not_compliant")
    evaluation(org, 4, DURING, status="draft")
    evaluation(org, 5, BEFORE)
    evaluation(org, 6, AFTER, "not_compliant")
    archived(evaluation(org, 7, DURING, "not_compliant"))
    evaluation(other, 1, DURING, "not_compliant")

    def obligation(org, index, due, **fields):
        return environment.make_obligation(org, index, next_evaluation_due=due, **fields)

    overdue = obligation(org, 1, DURING)
    obligation(org, 2, AS_OF)  # due on the as-of date: not overdue yet
    obligation(org, 3, TODAY)
    obligation(org, 4, DURING, status="ended")
    archived(obligation(org, 5, DURING))
    obligation(other, 1, DURING)

    instruction = Document.objects.create(organization=org, title="Coolant handling")
    target = objective(org, "Less coolant waste")
    handled = environment.make_aspect(org, 1, significant=True)
    handled.objectives.add(target)
    handled.documents.add(instruction)
    environment.make_aspect(org, 2, significant=True).objectives.add(target)
    environment.make_aspect(org, 3, significant=True)
    environment.make_aspect(org, 4)  # not significant
    environment.make_aspect(org, 5, significant=True, status="retired")
    archived(environment.make_aspect(org, 6, significant=True))
    environment.make_aspect(other, 1, significant=True)

    data = compiled("environment", org)

    assert values(data) == {
        "Compliance evaluations recorded": 3,
        "Compliant": 1,
        "Partly or not compliant": 2,
        "Obligations overdue for evaluation": 1,
        "Significant aspects": 3,
        "Without objective or operational control": 2,
    }
    assert links(data) == {
        "Compliance evaluations recorded": "/compliance-evaluations/?status=recorded",
        "Obligations overdue for evaluation": "/compliance-obligations/due/",
        "Significant aspects": "/aspects/significant/",
        "Without objective or operational control": "/aspects/significant/?unaddressed=1",
    }
    assert listed(data) == [(overdue.title, f"/compliance-obligations/{overdue.pk}/")]
    assert data["rows"][0]["detail"] == f"evaluation due {DURING}"


@covers("safety")
def test_safety_counts_incidents_and_consultations_of_the_period(catalog, personas):
    org, other = personas.org, personas.other

    def incident(org, index, on, **fields):
        return safety.make_incident(org, index, occurred_at=noon(on), **fields)

    cut = incident(org, 1, DURING, severity="lost_time", days_lost=5, status="investigating")
    rash = incident(org, 2, AS_OF, kind="ill_health", severity="first_aid", status="closed")
    slip = incident(org, 3, day(61), kind="near_miss", severity="none")
    leak = incident(
        org, 4, day(62), kind="dangerous", severity="major", days_lost=2, status="closed"
    )
    incident(org, 5, BEFORE)  # before the period, not closed
    incident(org, 6, AFTER)
    archived(incident(org, 7, DURING))
    incident(other, 1, DURING)

    def consultation(org, index, on, workers):
        return safety.make_consultation(org, index, held_on=on, workers_took_part=workers)

    consultation(org, 1, DURING, True)
    consultation(org, 2, AS_OF, False)
    consultation(org, 3, DURING, True)
    consultation(org, 4, BEFORE, True)
    consultation(org, 5, AFTER, False)
    archived(consultation(org, 6, DURING, False))
    consultation(other, 1, DURING, False)

    data = compiled("safety", org)

    assert values(data) == {
        "Incidents": 4,
        "Injuries and ill health": 2,
        "Near misses reported": 1,
        "Lost-time or worse": 2,
        "Days lost": 7,
        "Incidents not closed": 3,
        "Consultations": 3,
        "With non-managerial workers (%)": 67,
    }
    assert links(data) == {
        "Incidents": "/incidents/",
        "Injuries and ill health": "/incidents/?kind=injury",
        "Near misses reported": "/incidents/?kind=near_miss",
        "Incidents not closed": "/incidents/?status=investigating",
        "Consultations": "/consultations/",
        "With non-managerial workers (%)": "/consultations/participation/",
    }
    assert listed(data) == [(str(i), f"/incidents/{i.pk}/") for i in (rash, cut, slip, leak)]
    assert data["rows"][1]["detail"] == "Injury · Lost time · Under investigation"


def test_an_incident_closed_after_the_as_of_date_was_open_on_it(catalog, personas):
    safety.make_incident(
        personas.org, 1, occurred_at=noon(DURING), status="closed", closed_at=noon(AFTER)
    )

    data = compiled("safety", personas.org)

    assert values(data)["Incidents not closed"] == 1


@covers("infosec")
def test_infosec_counts_risks_and_the_statement_of_applicability_of_the_system(catalog, personas):
    org, other = personas.org, personas.other
    system = make_system(org, (ISMS,), "ISMS")
    nonconformity(org, DURING, source="complaint")
    nonconformity(org, BEFORE, source="complaint")
    risk(org, "IS-01", "infosec", LONG_BEFORE, DURING, inherent_likelihood=2, inherent_impact=2)
    risk(
        org, "IS-02", "infosec", DURING, inherent_likelihood=2, inherent_impact=2, status="assessed"
    )
    risk(
        org,
        "IS-03",
        "infosec",
        LONG_BEFORE,
        inherent_likelihood=2,
        inherent_impact=2,
        treatment="reduce",
        status="treated",
    )
    archived(risk(org, "IS-04", "infosec", DURING))
    risk(org, "R-01", "risk", DURING)
    risk(other, "IS-01", "infosec", DURING)
    soa = soa_with(org, ISMS, system, ["implemented", "implemented", "partial", "not_started"])
    soa_with(org, AIMS, make_system(org, (AIMS,), "AIMS"), ["not_started", "not_started"])
    soa_with(other, ISMS, make_system(other, (ISMS,), "ISMS"), ["not_started"])
    assert soa.system == system

    data = compiled("infosec", org, system=system)

    assert values(data) == {
        "Complaints and feedback": 1,
        "Information security risks": 3,
        "Reassessed in the period": 2,
        "Not yet treated": 2,
        "Applicable controls": 4,
        "Implemented (%)": 50,
        "Not started": 1,
    }
    assert links(data) == {
        "Complaints and feedback": "/nonconformities/?source=complaint",
        "Information security risks": "/risks/?kind=infosec",
        "Applicable controls": "/soa/",
        "Implemented (%)": "/soa/",
    }
    assert data["rows"] == []


def soa_with(org, code: str, system, implementations: list[str]):
    """The SoA of `code` for `system`: one applicable line per implementation state, one line
    excluded, the rest undecided."""
    standard = Standard.objects.get(code=code)
    soa = create_soa(org, standard, actor=manager_of(org), system=system)
    lines = list(ControlApplicability.objects.filter(soa=soa).order_by("pk"))
    for line, implementation in zip(lines, implementations, strict=False):
        ControlApplicability.objects.filter(pk=line.pk).update(
            applicable=True, implementation=implementation, justification="Risk treatment"
        )
    excluded = lines[len(implementations)]
    ControlApplicability.objects.filter(pk=excluded.pk).update(
        applicable=False, justification="No development"
    )
    return soa


@covers("ai")
def test_ai_counts_ai_systems_and_their_impact_assessments(catalog, personas):
    org, other = personas.org, personas.other

    def ai_system(org, name, stage):
        return add(AI_SYSTEMS, org, name=name, purpose="Sort parcels", role="user", stage=stage)

    def assessment(system_, on, status="completed", **fields):
        return add(
            IMPACT_ASSESSMENTS,
            system_.organization,
            on,
            ai_system=system_,
            title=f"Assessment of {system_.name}",
            assessed_on=on,
            status=status,
            **fields,
        )

    chatbot = ai_system(org, "Chatbot", "deployment")
    vision = ai_system(org, "Vision inspection", "operation")
    forecast = ai_system(org, "Demand forecast", "inception")
    archived(ai_system(org, "Retired scorer", "operation"))
    outsider = ai_system(other, "Another organization's", "operation")
    assessment(chatbot, DURING)
    assessment(chatbot, BEFORE, review_date=DURING)  # past its review date
    assessment(forecast, DURING, "draft", review_date=LATER)
    archived(assessment(vision, DURING, "draft"))
    assessment(outsider, DURING)

    data = compiled("ai", org)

    assert values(data) == {
        "AI systems": 3,
        "Deployed or operating": 2,
        "Impact assessments completed": 1,
        "Drafts": 1,
        "Past their review date": 1,
    }
    assert links(data) == {
        "AI systems": "/ai-systems/",
        "Impact assessments completed": "/impact-assessments/?status=completed",
        "Drafts": "/impact-assessments/?status=draft",
    }
    assert listed(data) == [
        ("Demand forecast", f"/ai-systems/{forecast.pk}/"),
        ("Vision inspection", f"/ai-systems/{vision.pk}/"),
    ]
    assert data["rows"][0]["detail"] == "no completed impact assessment"


@covers("food")
def test_food_counts_prp_verifications_deviations_and_traceability_exercises(catalog, personas):
    org, other = personas.org, personas.other
    food.make_verification(org, 1, verified_on=DURING)
    food.make_verification(org, 2, verified_on=AS_OF, result="not_conforming")
    food.make_verification(org, 3, verified_on=BEFORE, result="not_conforming")
    food.make_verification(org, 4, verified_on=AFTER, result="not_conforming")
    food.make_verification(other, 1, verified_on=DURING, result="not_conforming")
    ccp = food.make_plan(org, 1)
    oprp = food.make_plan(org, 2, category="oprp", code="OPRP-1")
    food.make_deviation(org, 1, plan=ccp, occurred_on=DURING)
    food.make_deviation(org, 2, plan=oprp, occurred_on=AS_OF)
    food.make_deviation(org, 3, plan=ccp, occurred_on=BEFORE)
    food.make_deviation(org, 4, plan=ccp, occurred_on=AFTER)
    food.make_deviation(other, 1, occurred_on=DURING)

    def trace(org, index, on, minutes=60):
        return food.make_exercise(
            org, index, exercised_on=on, minutes_taken=minutes, reconciled_percent=Decimal(100)
        )

    assert trace(org, 1, DURING).result == "passed"
    assert trace(org, 2, AS_OF, minutes=6000).result == "failed"
    trace(org, 3, BEFORE, minutes=6000)
    trace(org, 4, AFTER, minutes=6000)
    archived(trace(org, 5, DURING, minutes=6000))
    trace(other, 1, DURING, minutes=6000)

    data = compiled("food", org)

    assert values(data) == {
        "PRP verifications": 2,
        "Not conforming": 1,
        "Monitoring deviations": 2,
        "At a CCP": 1,
        "Traceability exercises": 2,
        "Failed": 1,
    }
    assert links(data) == {
        "PRP verifications": "/prp-verifications/",
        "Monitoring deviations": "/monitoring-deviations/",
        "Traceability exercises": "/traceability-exercises/",
    }
    assert data["rows"] == []


@covers("continuity")
def test_continuity_counts_exercises_done_stale_plans_and_draft_analyses(catalog, personas):
    org, other = personas.org, personas.other
    bakery, ovens, dispatch, payroll, it = (
        continuity.make_plan(org, i, title=title)
        for i, title in enumerate(
            ("Loss of the bakery", "Oven fire", "Dispatch outage", "Payroll failure", "IT outage")
        )
    )
    archived(continuity.make_plan(org, 9, title="Entered twice"))
    outsider = continuity.make_plan(other, 1)

    def exercise(org, index, plan, on, status="done", **fields):
        values = {"status": status, "actual_date": on, **fields}
        return continuity.make_exercise(org, index, plans=[plan], planned_date=on, **values)

    exercise(org, 1, bakery, DURING, objectives_met="yes", rto_achieved=True)
    exercise(org, 2, ovens, AS_OF, objectives_met="partly", rto_achieved=False)
    exercise(org, 3, dispatch, DURING, status="planned", actual_date=None)
    exercise(org, 4, dispatch, AFTER, objectives_met="no", rto_achieved=False)
    exercise(org, 5, payroll, months_before(AS_OF, 12), objectives_met="yes")  # a year before
    exercise(org, 6, bakery, BEFORE, objectives_met="no", rto_achieved=False)
    archived(exercise(org, 7, ovens, DURING, objectives_met="no", rto_achieved=False))
    exercise(other, 1, outsider, DURING, objectives_met="no", rto_achieved=False)
    continuity.make_bia(org, 1)
    continuity.make_bia(org, 2)
    continuity.make_bia(org, 3, status="approved")
    archived(continuity.make_bia(org, 4))
    continuity.make_bia(other, 1)

    data = compiled("continuity", org)

    assert BusinessImpactAnalysis.objects.filter(organization=org).count() == 4
    assert values(data) == {
        "Exercises done": 2,
        "Objectives met": 1,
        "Recovery time objective missed": 1,
        "Plans not exercised in 12 months": 3,
        "Business impact analyses in draft": 2,
    }
    assert links(data) == {
        "Exercises done": "/exercises/programme/",
        "Plans not exercised in 12 months": "/exercises/programme/",
        "Business impact analyses in draft": "/business-impact-analyses/?status=draft",
    }
    assert listed(data) == [
        (p.title, f"/continuity-plans/{p.pk}/") for p in (dispatch, it, payroll)
    ]


# --- which inputs a system gets -----------------------------------------------------------------

#: The standard each standard's own input is for.
STANDARD_OF = {
    "customer_feedback": QMS,
    "environment": EMS,
    "safety": OHS,
    "infosec": ISMS,
    "ai": AIMS,
    "food": FSMS,
    "continuity": BCMS,
}
ALL_STANDARDS = tuple(STANDARD_OF.values())


def test_every_declared_input_has_a_test_of_its_figures():
    assert set(DECLARED) == COVERED


def test_every_standards_input_names_a_standard_this_file_knows():
    assert {key for key, item in DECLARED.items() if item.standards} == set(STANDARD_OF)


@pytest.mark.parametrize(("key", "code"), sorted(STANDARD_OF.items()))
def test_a_standards_input_applies_only_to_systems_adopting_that_standard(key, code):
    definition = DECLARED[key]
    others = tuple(c for c in ALL_STANDARDS if c != code)
    assert definition.applies((code,))
    assert definition.applies((*others, code))
    assert not definition.applies(others)
    assert not definition.applies(())


def test_the_common_inputs_apply_to_every_system():
    common = [item for item in DECLARED.values() if not item.standards]
    assert len(common) == 10
    for item in common:
        assert item.applies(())
        assert all(item.applies((code,)) for code in ALL_STANDARDS)


def test_a_review_compiles_the_inputs_of_the_standards_adopted_on_its_as_of_date(catalog, personas):
    org = personas.org
    system = make_system(org, (ISMS, AIMS, BCMS), "Integrated")
    adopted = AdoptedStandard.objects.filter(system=system)
    adopted.filter(standard__code=AIMS).update(adopted_on=day(5))  # adopted after the as-of date
    adopted.filter(standard__code=BCMS).update(dropped_on=day(40))  # dropped before it
    review = make_review(org, 0, system=system, data_as_of=AS_OF)

    services.compile_inputs(review, actor=personas.manager)

    keys = list(review.inputs.values_list("key", flat=True))
    assert keys == [item.key for item in INPUTS if not item.standards] + ["infosec"]
    assert review.inputs.get(key="infosec").standard_code == "iso27001"
