"""Ten years of the organization's records: nonconformities with their corrective actions,
internal audits with findings, objectives measured monthly and a management review a year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pdca.audits.models import Audit, AuditProgramme, Finding
from pdca.improvement.models import CorrectiveAction, Nonconformity
from pdca.reviews.models import ManagementReview, ReviewPlan
from pdca.reviews.services import minutes_hash
from pdca.scale.rows import (
    BATCH,
    STANDARDS,
    Advance,
    add_months,
    archived_fields,
    atomic,
    insert,
    set_created_at,
)
from pdca.standards.models import Standard
from pdca.system.models import Measurement, Objective

if TYPE_CHECKING:
    from pdca.scale.seed import Sizes

OPEN_NC = ["reported", "triaged", "contained", "cause_analysed", "action_planned", "implemented"]

#: The workflow's steps in order, and the timestamp each one sets.
STEPS = (
    ("triaged", "triaged_at"),
    ("contained", "contained_at"),
    ("cause_analysed", "analysed_at"),
    ("action_planned", "planned_at"),
    ("implemented", "implemented_at"),
    ("closed", "verified_at"),
)


def _steps_done(status: str, created: dt.datetime, closed: dt.datetime | None) -> dict[str, Any]:
    """The timestamps of the steps a nonconformity in `status` went through, a few days
    apart (a dismissed one was only triaged)."""
    if status == "dismissed":
        return {"triaged_at": created + dt.timedelta(days=1)}
    reached = [name for name, _ in STEPS].index(status) if status != "reported" else -1
    done: dict[str, Any] = {}
    for n, (_, field_name) in enumerate(STEPS[: reached + 1]):
        moment = created + dt.timedelta(days=1 + 5 * n)
        done[field_name] = min(moment, closed) if closed else moment
    return done


def nonconformities(sizes: Sizes, state: dict[str, Any], advance: Advance) -> dict[str, int]:
    """Nonconformities reported over the years, most closed, the open ones mostly recent, and
    their corrective actions (one to three each once planned; implemented when the
    nonconformity moved past them)."""
    rng, org, now = state["rng"], state["org"], state["now"]
    count = sizes.nonconformities_per_year * sizes.years
    span = 365 * sizes.years
    rows, reported = [], []
    recent = max(2, count // 100)
    for i in range(count):
        created = now - dt.timedelta(days=rng.uniform(0, 120 if i < recent else span))
        age = (now - created).days
        draw = 0.0 if i < recent else rng.random()
        if draw < (0.04 if age > 365 else 0.25):
            status = rng.choice(OPEN_NC)
        elif draw > 0.96:
            status = "dismissed"
        else:
            status = "closed"
        closed = None
        if status in ("closed", "dismissed"):
            closed = min(created + dt.timedelta(days=rng.randint(2, 200)), now)
        analysed = status in ("action_planned", "implemented", "closed")
        rows.append(
            Nonconformity(
                organization=org,
                reference=f"NC-{created:%Y}-{i:05d}",
                title=f"Nonconformity {i}",
                description="Found during the work: the record did not match the procedure.",
                source=rng.choice(Nonconformity.Source.values),
                severity=rng.choice(["major", "minor", "minor", "minor", ""]),
                status=status,
                owner=rng.choice(state["owners"]),
                reported_by=rng.choice(state["users"]),
                site=rng.choice(state["sites"]),
                due_date=(created + dt.timedelta(days=rng.choice([30, 60, 90]))).date(),
                correction="Stopped and corrected the batch." if status != "reported" else "",
                root_cause="The instruction did not cover the case." if analysed else "",
                cause_method="five_whys" if analysed else "",
                **_steps_done(status, created, closed),
                closed_at=closed,
                closure_note="Closed after the check." if status == "closed" else "",
                **archived_fields(state, now - dt.timedelta(days=30), rng.random() < 0.01),
            )
        )
        reported.append(created)
    total = 3 * count
    with atomic():
        ncs = insert(Nonconformity, rows, lambda d, t: advance(d, total))
        set_created_at(Nonconformity, [(nc.pk, at) for nc, at in zip(ncs, reported, strict=True)])
        advance(2 * count, total)
        actions = []
        for nc, created in zip(ncs, reported, strict=True):
            if nc.status not in ("action_planned", "implemented", "closed"):
                continue
            done = nc.status != "action_planned"
            for n in range(rng.choice([1, 1, 2, 3])):
                due = (created + dt.timedelta(days=30 + 30 * n)).date()
                actions.append(
                    CorrectiveAction(
                        organization=org,
                        nonconformity=nc,
                        title=f"Corrective action {n + 1} of {nc.reference}",
                        description="Change the instruction and train the team.",
                        owner=rng.choice(state["owners"]),
                        due_date=due,
                        status="implemented" if done else "planned",
                        implemented_at=created + dt.timedelta(days=25 + 30 * n) if done else None,
                        implemented_by=nc.owner if done else None,
                        implementation_note="Done and recorded." if done else "",
                    )
                )
        insert(
            CorrectiveAction,
            actions,
            lambda d, t: advance(2 * count + d * count // max(1, t), total),
        )
    advance(total, total)
    return {"nonconformities": len(ncs), "corrective_actions": len(actions)}


def audits(sizes: Sizes, state: dict[str, Any], advance: Advance) -> dict[str, int]:
    """An internal audit programme a year, forty audits each, five findings a closed audit."""
    rng, org, today = state["rng"], state["org"], state["today"]
    standards = list(Standard.objects.filter(code__in=STANDARDS))
    per_programme = 40 if sizes.people >= 200 else 4
    first_year = today.year - sizes.years + 1
    with atomic():
        programmes = AuditProgramme.objects.bulk_create(
            AuditProgramme(
                organization=org,
                title=f"Audit programme {year}",
                system=state["system"],
                period_start=dt.date(year, 1, 1),
                period_end=dt.date(year, 12, 31),
                objectives="Every process and requirement audited once a year.",
                manager=state["manager"],
                status="approved" if year == today.year else "closed",
            )
            for year in range(first_year, today.year + 1)
        )
        audits = []
        for programme in programmes:
            year = programme.period_start.year
            for k in range(per_programme):
                start = dt.date(year, 1, 5) + dt.timedelta(days=int(k * 350 / per_programme))
                end = start + dt.timedelta(days=rng.randint(0, 3))
                if end < today:
                    status = rng.choice(["closed"] * 16 + ["report_issued"] * 3 + ["planned"])
                elif start <= today:
                    status = "in_progress"
                else:
                    status = rng.choice(["planned", "prepared"])
                audits.append(
                    Audit(
                        organization=org,
                        programme=programme,
                        reference=f"IA-{year}-{k:02d}",
                        title=f"Internal audit {k} of {year}",
                        audit_type="internal",
                        start_date=start,
                        end_date=end,
                        lead_auditor=rng.choice(state["auditors"]),
                        status=status,
                    )
                )
        audits = insert(Audit, audits)
        through = Audit.standards.through
        through.objects.bulk_create(
            [
                through(audit_id=audit.pk, standard_id=standard.pk)
                for audit in audits
                for standard in rng.sample(standards, rng.randint(1, len(standards)))
            ],
            batch_size=BATCH,
        )
        grades = ["minor", "minor", "observation", "ofi", "strength"]
        findings = insert(
            Finding,
            [
                Finding(
                    organization=org,
                    audit=audit,
                    number=n + 1,
                    grade=grades[n],
                    title=f"Finding {n + 1} of {audit.reference}",
                    evidence="Records sampled on the day.",
                    statement="What was found against the requirement.",
                )
                for audit in audits
                if audit.status in ("closed", "report_issued")
                for n in range(5)
            ],
            advance,
        )
    return {
        "audit_programmes": len(programmes),
        "internal_audits": len(audits),
        "internal_findings": len(findings),
    }


def objectives_and_reviews(sizes: Sizes, state: dict[str, Any], advance: Advance) -> dict[str, int]:
    rng, org, today = state["rng"], state["org"], state["today"]
    count = max(3, sizes.people // 10)
    with atomic():
        objectives = []
        for i in range(count):
            active = i < count * 5 // 6
            start = add_months(today, -rng.randint(12, 12 * sizes.years - 1))
            due = add_months(today, rng.randint(1, 24)) if active else add_months(start, 12)
            at_most = rng.random() < 0.3
            objectives.append(
                Objective(
                    organization=org,
                    title=f"Objective {i:03d}",
                    owner=rng.choice(state["owners"]),
                    kpi="Defect rate" if at_most else "On-time delivery",
                    unit="%",
                    direction="at_most" if at_most else "at_least",
                    baseline=Decimal(20 if at_most else 70),
                    target=Decimal(5 if at_most else 95),
                    start_date=start,
                    due_date=due,
                    status="active" if active else rng.choice(["achieved", "not_achieved"]),
                )
            )
        objectives = Objective.objects.bulk_create(objectives)
        measurements = []
        for objective in objectives:
            months, day = 0, objective.start_date
            while day <= min(objective.due_date, today):
                base, goal = float(objective.baseline or 0), float(objective.target)
                value = base + (goal - base) * min(1.0, months / 48) + rng.uniform(-3, 3)
                measurements.append(
                    Measurement(
                        organization=org,
                        objective=objective,
                        measured_on=day,
                        value=Decimal(f"{value:.2f}"),
                        recorded_by=objective.owner,
                    )
                )
                months += 1
                day = add_months(objective.start_date, months)
        insert(Measurement, measurements, advance)
        system = state["system"]
        ReviewPlan.objects.create(organization=org, system=system, interval_months=12)
        previous = None
        for ago in range(sizes.years, 0, -1):
            day = add_months(today, 1 - 12 * ago)
            held = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
            latest = ago == 1
            title = f"Management review {day:%Y-%m}"
            minutes = {"title": title, "conclusions": "Suitable and effective."}
            previous = ManagementReview.objects.create(
                organization=org,
                system=system,
                title=title,
                meeting_date=held.date(),
                chair=state["top"],
                agenda="Inputs of clause 9.3.2.",
                conclusions="The system remains suitable, adequate and effective.",
                status="held" if latest else "approved",
                previous=previous,
                compiled_at=held - dt.timedelta(days=7),
                held_at=held,
                approved_at=None if latest else held + dt.timedelta(days=14),
                approved_by=None if latest else state["top"],
                minutes={} if latest else minutes,
                minutes_sha256="" if latest else minutes_hash(minutes),
            )
    return {
        "objectives": len(objectives),
        "measurements": len(measurements),
        "management_reviews": sizes.years,
    }
