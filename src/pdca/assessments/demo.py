"""The demo organization's gap assessments (idempotent): a "Baseline" started about four
months ago and worked through for most items, and the current "Half-year review", copied from
it and about half done. Every value goes through the services, so the activity log is real."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from pdca.accounts.models import User
from pdca.assessments import services
from pdca.assessments.models import GapAssessment, GapItem
from pdca.system.demo.base import MANAGER, NAME
from pdca.system.models import ManagementSystem

Status = GapItem.Status
Q, S, AI = "iso9001-2015", "iso27001-2022", "iso42001-2023"

PRODUCTION = "production@acme.example"
CEO = "ceo@acme.example"
CONSULTANT = "consultant@brightpath.example"

#: Baseline chances of (implemented, partial, planned, not started) by area: Acme has run a
#: quality system for years, physical security is good, AI management is new.
BASELINE_WEIGHTS = {
    "shared": (40, 35, 15, 10),
    "quality-operation": (60, 30, 10, 0),
    "quality": (50, 30, 15, 5),
    "security-clause": (5, 35, 40, 20),
    "security-A.5": (15, 35, 25, 25),
    "security-A.6": (35, 35, 20, 10),
    "security-A.7": (55, 30, 10, 5),
    "security-A.8": (20, 35, 20, 25),
    "ai-clause": (0, 15, 40, 45),
    "ai-control": (0, 5, 30, 65),
}
STATUSES = (Status.IMPLEMENTED, Status.PARTIAL, Status.PLANNED, Status.NOT_STARTED)
NEXT: dict[str, str] = {
    Status.NOT_STARTED: Status.PLANNED,
    Status.PLANNED: Status.PARTIAL,
    Status.PARTIAL: Status.IMPLEMENTED,
}

#: Status, notes and evidence of the items people look at first, in Acme's words.
SPECIFIC = {
    (Q, "4.1"): (
        Status.PARTIAL,
        "Context reviewed at the strategy day; cyber threats to customer drawings and the "
        "inspection AI added to the issues.",
        "IMS-CTX-01 Context and interested parties register",
    ),
    (Q, "4.3"): (
        Status.IMPLEMENTED,
        "One scope for the three standards; design and development excluded (see system).",
        "IMS-001 Integrated management manual, section 1.2",
    ),
    (Q, "5.2.1"): (
        Status.PARTIAL,
        "One IMS policy signed by the managing director; AI principles still to be added.",
        "POL-001 IMS policy rev. 3",
    ),
    (Q, "6.1.1"): (
        Status.PARTIAL,
        "Risk register covers quality risks only; information security and AI risks are "
        "kept apart for now.",
        "RSK-REG-Q quality risk register",
    ),
    (Q, "7.1.5.2"): (
        Status.IMPLEMENTED,
        "Calibration of gauges and the CMM tracked in the ERP.",
        "CAL-01 calibration register\nhttps://intranet.acme.example/ims/calibration",
    ),
    (Q, "7.2"): (
        Status.PARTIAL,
        "Competence matrix covers machinists and inspectors; office staff and IT missing.",
        "HR-REC-004 competence matrix",
    ),
    (Q, "7.5.1"): (
        Status.PARTIAL,
        "Documents live in SharePoint with approval workflow; retention rules incomplete.",
        "https://intranet.acme.example/ims/documents",
    ),
    (Q, "8.5.1"): (
        Status.IMPLEMENTED,
        "Routing cards, first-article inspection and in-process checks on every job.",
        "PR-08 Production control\nFAI records in the ERP",
    ),
    (Q, "8.5.3"): (
        Status.IMPLEMENTED,
        "Customer drawings and free-issue material are logged on receipt.",
        "PR-08 section 6 (customer property)",
    ),
    (Q, "8.7.1"): (
        Status.IMPLEMENTED,
        "NCR tags and a quarantine cage at the plant; MRB meets weekly.",
        "PR-10 Control of nonconforming output",
    ),
    (Q, "9.2.2"): (
        Status.PARTIAL,
        "2026 audit programme approved; two internal auditors still to train on 27001.",
        "IA-PRG-2026 internal audit programme",
    ),
    (Q, "9.3.2"): (
        Status.PARTIAL,
        "Last review covered quality only; security and AI inputs to add.",
        "MR-2026-1 management review minutes",
    ),
    (Q, "10.2.1"): (
        Status.PARTIAL,
        "8D for customer complaints; not yet used for security incidents.",
        "PR-11 Corrective action (8D)",
    ),
    (S, "6.1.2"): (
        Status.PARTIAL,
        "Information security risk assessment started with the consultant.",
        "ISR-2026 information security risk register (draft)",
    ),
    (S, "6.1.3"): (
        Status.PARTIAL,
        "Statement of Applicability drafted, 12 controls still open.",
        "SoA v0.3",
    ),
    (S, "A.5.15"): (
        Status.PARTIAL,
        "Access rules for the ERP written; CAD file shares are still open to all staff.",
        "IT-POL-03 access control",
    ),
    (S, "A.5.23"): (
        Status.PLANNED,
        "Cloud services listed; supplier assurance not reviewed yet.",
        "",
    ),
    (S, "A.6.3"): (
        Status.PARTIAL,
        "Phishing training for office staff done; shop floor awareness planned.",
        "Training records 2026 (LMS export)",
    ),
    (S, "A.7.1"): (
        Status.IMPLEMENTED,
        "Fenced plant perimeter with CCTV; head office shares its entrance.",
        "SEC-02 site security plan",
    ),
    (S, "A.7.2"): (
        Status.IMPLEMENTED,
        "Badge access at both sites; visitor log at reception.",
        "SEC-02 section 3",
    ),
    (S, "A.8.7"): (
        Status.IMPLEMENTED,
        "EDR on every office PC; CNC controllers isolated on their own network.",
        "IT-NET-01 network diagram",
    ),
    (S, "A.8.13"): (
        Status.IMPLEMENTED,
        "Nightly ERP and file-server backups; restore test done in May.",
        "IT-BKP-01 restore test record",
    ),
    (AI, "6.1.4"): (
        Status.PLANNED,
        "Impact assessment of the visual inspection model planned with the vendor.",
        "",
    ),
    (AI, "A.6.2.4"): (
        Status.PARTIAL,
        "Model validated on 2,000 labelled parts; acceptance criteria agreed with quality.",
        "AI-VAL-01 validation report",
    ),
    (AI, "A.9.4"): (
        Status.PARTIAL,
        "Intended use written down: the camera flags parts, an inspector decides.",
        "AI-USE-01 intended use statement",
    ),
}
NOT_APPLICABLE = {
    (S, "A.8.30"): (
        "Acme has no software developed for it by others: the ERP and the inspection software "
        "are bought as products and configured in-house."
    ),
}
GENERIC_NOTES = {
    Status.IMPLEMENTED: [
        "In place and in use; records kept.",
        "Works as documented at both sites.",
        "Done; evidence checked at the last internal audit.",
    ],
    Status.PARTIAL: [
        "In place at Wakefield; the Leeds office is not covered yet.",
        "Procedure written, records incomplete.",
        "Done for quality; information security aspects to add.",
        "Practice exists but is not written down.",
    ],
    Status.PLANNED: [
        "In the implementation plan.",
        "Waiting for the consultant's template.",
        "Owner named; work starts after the ERP upgrade.",
    ],
    Status.NOT_STARTED: ["", "Not addressed yet."],
}
SLIPS = [
    "Slipped: the ERP upgrade moved to next quarter.",
    "Slipped: waiting for the vendor's documentation.",
    "Slipped: owner on leave during the summer shutdown.",
    "Slipped: budget approval moved to the next board meeting.",
    "Slipped: needs the risk assessment finished first.",
]


def _area(item: GapItem) -> str:
    covers = list(item.covers.all())
    first = item.requirement
    code = first.standard.code
    if first.kind == "control":
        group = first.number.rsplit(".", 1)[0] if code == S else ""
        return f"security-{group}" if code == S else "ai-control"
    if len({r.standard_id for r in covers}) > 1:
        return "shared"
    if code == Q:
        return "quality-operation" if first.number.startswith("8.") else "quality"
    return "security-clause" if code == S else "ai-clause"


def _owner(item: GapItem, area: str, people: dict[str, User]) -> User | None:
    number = item.requirement.number
    if number.startswith(("5.1", "5.2", "9.3")) and area in ("shared", "quality"):
        return people[CEO]
    if area in ("quality-operation", "security-A.7") or (area == "shared" and number == "8.1"):
        return people[PRODUCTION]
    if area in ("security-clause", "security-A.8", "ai-clause", "ai-control"):
        return people[CONSULTANT]
    return people[MANAGER]


def _key(item: GapItem) -> tuple[str, str]:
    return (item.requirement.standard.code, item.requirement.number)


def _items(assessment: GapAssessment) -> list[GapItem]:
    return list(
        assessment.items.select_related("requirement__standard", "owner").prefetch_related("covers")
    )


def _baseline_changes(
    assessment: GapAssessment, people: dict[str, User], rng: random.Random
) -> list[dict]:
    started = assessment.started_on
    changes = []
    for item in _items(assessment):
        if item.status == Status.NOT_APPLICABLE:
            continue  # excluded from the system
        area = _area(item)
        change: dict = {"id": item.pk, "owner": _owner(item, area, people)}
        key = _key(item)
        if key in NOT_APPLICABLE:
            change.update(status=Status.NOT_APPLICABLE, justification=NOT_APPLICABLE[key])
            changes.append(change)
            continue
        if rng.random() < 0.08 and key not in SPECIFIC:
            changes.append(change)  # not assessed yet: only an owner named
            continue
        if key in SPECIFIC:
            status, notes, evidence = SPECIFIC[key]
        else:
            status = rng.choices(STATUSES, weights=BASELINE_WEIGHTS[area])[0]
            notes, evidence = rng.choice(GENERIC_NOTES[status]), ""
        if not evidence and status in (Status.IMPLEMENTED, Status.PARTIAL):
            evidence = f"https://intranet.acme.example/ims/{key[0]}/{key[1]}"
        change.update(status=status, notes=notes, evidence=evidence)
        if status != Status.IMPLEMENTED:
            change["target_date"] = started + dt.timedelta(days=rng.randrange(60, 330, 7))
        changes.append(change)
    return changes


def _review_changes(
    assessment: GapAssessment, today: dt.date, rng: random.Random
) -> tuple[list[dict], list[int]]:
    """About half the open items re-assessed, most of them moving up; a few slipped."""
    changes, untouched = [], []
    for item in _items(assessment):
        if item.status not in services.OPEN_STATUSES:
            if _key(item) == (Q, "7.1.5.2") and item.status == Status.IMPLEMENTED:
                changes.append(
                    {
                        "id": item.pk,
                        "status": Status.PARTIAL,
                        "target_date": today + dt.timedelta(days=45),
                        "notes": "Two CMM calibration certificates lapsed in the spring; "
                        "recalibration booked.",
                    }
                )
            continue
        if rng.random() >= 0.4:
            untouched.append(item.pk)
            continue
        status = NEXT[item.status]
        if status != Status.IMPLEMENTED and rng.random() < 0.2:
            status = NEXT[status]
        change = {"id": item.pk, "status": status}
        if status == Status.IMPLEMENTED:
            change["evidence"] = (
                item.evidence or f"https://intranet.acme.example/ims/{'/'.join(_key(item))}"
            )
            change["notes"] = "Half-year review: done. " + item.notes
        else:
            change["target_date"] = today + dt.timedelta(days=rng.randrange(21, 200, 7))
            change["notes"] = "Half-year review: progressing. " + item.notes
        changes.append(change)
    dated = [i for i in _items(assessment) if i.pk in set(untouched) and i.target_date is not None]
    for item, note in zip(rng.sample(dated, min(len(SLIPS), len(dated))), SLIPS, strict=False):
        assert item.target_date is not None  # dated, as chosen
        changes.append(
            {
                "id": item.pk,
                "target_date": max(item.target_date, today) + dt.timedelta(days=60),
                "notes": note,
            }
        )
    return changes, untouched


def load(context: dict) -> None:
    system = ManagementSystem.objects.filter(organization__slug="acme", name=NAME).first()
    if system is None:
        return
    emails = [MANAGER, PRODUCTION, CEO, CONSULTANT]
    people = {u.email: u for u in User.objects.filter(email__in=emails)}
    if set(people) != set(emails):
        return
    manager = people[MANAGER]
    today = timezone.localdate()
    rng = random.Random(2026)
    baseline = GapAssessment.objects.filter(system=system, title="Baseline").first()
    if baseline is None:
        baseline = services.create_assessment(
            system,
            title="Baseline",
            started_on=today - dt.timedelta(days=122),
            notes="First assessment against the three standards, with Bright Path Consulting.",
            actor=manager,
        )
        services.bulk_update_items(
            baseline, _baseline_changes(baseline, people, rng), actor=manager
        )
        services.update_assessment(
            baseline,
            status=GapAssessment.Status.CLOSED,
            notes=baseline.notes + " Closed with a few items not yet assessed; they carry "
            "over to the half-year review.",
            actor=manager,
        )
    review = GapAssessment.objects.filter(system=system, title="Half-year review").first()
    if review is None:
        review = services.create_assessment(
            system,
            title="Half-year review",
            started_on=today - dt.timedelta(days=9),
            copy_from=baseline,
            notes="Half-year review of progress towards certification; under way.",
            actor=manager,
        )
        changes, _ = _review_changes(review, today, rng)
        services.bulk_update_items(review, changes, actor=manager)
        # The production manager brings their own items up to date.
        production = people[PRODUCTION]
        own = review.items.filter(
            owner=production, status__in=[Status.PLANNED, Status.PARTIAL]
        ).order_by("sort_key")[:3]
        for item in own:
            services.update_item(
                item,
                status=Status.IMPLEMENTED,
                evidence=(item.evidence + "\nShop-floor check by O. Production").strip(),
                actor=production,
            )
    context["assessments"] = [baseline, review]
    _edition_move(system, review, manager)


#: The second demo system: Acme's quality system carried to ISO 9001:2026.
MOVED_NAME = "Acme quality system (ISO 9001:2026)"


def _edition_move(system: ManagementSystem, review: GapAssessment, manager: User) -> None:
    """A quality-only system with the review's ISO 9001:2015 work, moved to ISO 9001:2026:
    the transition plan page shows what carried and what opened."""
    from pdca.standards.models import Standard
    from pdca.system import services as systems
    from pdca.system.transition.services import transition_system

    old = Standard.objects.filter(code=Q).first()
    new = Standard.objects.filter(code="iso9001-2026", replaces=old).first()
    if old is None or new is None:
        return
    if ManagementSystem.objects.filter(organization=system.organization, name=MOVED_NAME).exists():
        return
    moved = systems.create_system(
        system.organization,
        name=MOVED_NAME,
        scope_statement=system.scope_statement,
        standards=[old],
        owner=manager,
        actor=manager,
    )
    design = old.requirements.filter(number="8.3").first()
    if design is not None:
        systems.add_exclusion(
            moved,
            design,
            justification="Products are made to customer designs; Acme does no design.",
            actor=manager,
        )
    assessment = services.create_assessment(
        moved,
        title="ISO 9001 readiness",
        notes="The quality part of the integrated system's half-year review.",
        actor=manager,
    )
    by_requirement = {
        r.pk: item for item in review.items.prefetch_related("covers") for r in item.covers.all()
    }
    changes = []
    for item in assessment.items.exclude(status=Status.NOT_APPLICABLE):
        source = by_requirement.get(item.requirement_id)
        if source is not None:
            changes.append(
                {
                    "id": item.pk,
                    **{f: getattr(source, f) for f in ("status", "owner", "target_date", "notes")},
                }
            )
    services.bulk_update_items(assessment, changes, actor=manager)
    transition_system(moved, new, actor=manager)
