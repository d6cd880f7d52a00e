"""The demo organization's audits: an audit programme for the certification cycle, a
completed internal audit of production and inspection (plan, checklist with evidence, a minor
nonconformity and an opportunity for improvement, meetings, issued report, closed) and one in
progress on IT and information security (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.accounts.models import User
from pdca.audits import findings, services
from pdca.audits.fieldwork import checklists
from pdca.audits.models import Audit, AuditProgramme, ChecklistItem
from pdca.audits.registers import AUDITS, PROGRAMMES
from pdca.audits.report import issue as report_issue
from pdca.core.registers.services import create_entry
from pdca.standards.models import Requirement, Standard
from pdca.system.models import Process
from pdca.tenancy.models import Organization

MANAGER = "quality@acme.example"
AUDITOR = "auditor@acme.example"
CONSULTANT = "consultant@brightpath.example"


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _answer(audit: Audit, actor, results: dict[str, tuple[str, str]]) -> None:
    """Set results on the items whose requirement number is in `results`."""
    for item in audit.checklist.select_related("requirement"):
        number = item.requirement.number if item.requirement else None
        if number in results and not item.result:
            result, notes = results[number]
            checklists.update_item(item, actor=actor, result=result, notes=notes)


def load(context: dict) -> None:
    org = Organization.objects.filter(slug="acme").first()
    manager = User.objects.filter(email=MANAGER).first()
    auditor = User.objects.filter(email=AUDITOR).first()
    if org is None or manager is None or auditor is None:
        return
    system = context.get("system")
    today = timezone.localdate()
    processes = {p.code: p for p in Process.objects.filter(organization=org)}
    standards = list(Standard.objects.filter(code__in=["iso9001-2015", "iso27001-2022"]))
    programme = AuditProgramme.objects.filter(organization=org).first()
    if programme is None:
        programme = create_entry(
            PROGRAMMES,
            org,
            actor=manager,
            title="Internal audit programme 2026–2028",
            system=system,
            period_start=dt.date(today.year, 1, 1),
            period_end=dt.date(today.year + 2, 12, 31),
            objectives="Audit every process and every clause of ISO 9001 and ISO/IEC 27001 at "
            "least once in the three-year cycle; production and inspection every year.",
            risks="Few trained internal auditors; audits slipping behind customer deadlines.",
            manager=manager,
            status="approved",
        )
    if not Audit.objects.filter(organization=org, reference="IA-2026-01").exists():
        start = today - dt.timedelta(days=40)
        audit = create_entry(
            AUDITS,
            org,
            actor=manager,
            reference="IA-2026-01",
            title="Production and inspection",
            audit_type="internal",
            programme=programme,
            standards=standards,
            scope="CNC machining, inspection and release at the Wakefield plant",
            objectives="Confirm that production and inspection meet ISO 9001 clause 8 and the "
            "related information security controls",
            criteria="ISO 9001:2015, ISO/IEC 27001:2022, QP-09, WI-07",
            processes=[p for c, p in processes.items() if c in ("C-03", "C-04")],
            requirements=list(
                Requirement.objects.filter(
                    standard__code="iso9001-2015", number__in=["8.5.1", "8.5.2", "8.6", "8.7"]
                )
            ),
            start_date=start,
            end_date=start + dt.timedelta(days=1),
            lead_auditor=auditor,
        )
        services.add_team_member(audit, auditor, "lead", actor=manager)
        services.add_plan_item(
            audit,
            actor=manager,
            starts_at=_at(start, 9),
            ends_at=_at(start, 9, 30),
            activity="Opening meeting",
            auditor=auditor,
            auditee="Production manager",
        )
        services.add_plan_item(
            audit,
            actor=manager,
            starts_at=_at(start, 9, 30),
            ends_at=_at(start, 12),
            activity="CNC machining",
            process=processes.get("C-03"),
            auditor=auditor,
            auditee="Setters and machinists",
        )
        checklists.generate_checklist(audit, actor=auditor)
        services.transition_audit(audit, "prepared", actor=auditor)
        services.transition_audit(audit, "in_progress", actor=auditor)
        services.record_meeting(
            audit,
            actor=auditor,
            kind="opening",
            held_at=_at(start, 9),
            attendees="Ines Auditor (lead auditor)\nOmar Production (production manager)\n"
            "Sam Quality (QHSE manager)",
            notes="Scope, plan and confidentiality confirmed.",
        )
        _answer(
            audit,
            auditor,
            {
                "8.5.1": ("conforming", "Work orders, programs and first-off records in place."),
                "8.5.2": ("nonconformity", "Two lots without material certificate at release."),
                "8.6": ("conforming", "Release signed by inspector on every lot sampled."),
                "8.7": ("ofi", "Quarantine area could be marked more clearly."),
                "8.7.1": ("ofi", "Quarantine area could be marked more clearly."),
                "8.7.2": ("conforming", "A nonconformity record for each quarantined lot."),
            },
        )
        item = audit.checklist.filter(requirement__number="8.5.2").first()
        if item is not None:
            checklists.add_evidence(
                item,
                actor=auditor,
                kind="record",
                description="Lot travellers of March sampled; lots 4411 and 4415 lack the "
                "material certificate reference.",
                sample_size=12,
            )
        req = Requirement.objects.filter(standard__code="iso9001-2015", number="8.5.2").first()
        findings.raise_finding(
            audit,
            actor=auditor,
            grade="minor",
            title="Traceability gap at release",
            requirement_statement="Outputs must be identified and traceable where traceability "
            "is required, with the records kept.",
            evidence="12 lot travellers of March sampled; 2 had no material certificate "
            "reference (lots 4411 and 4415).",
            statement="Lots were released without the record that ties them to their material.",
            requirements=[req] if req else [],
            process=processes.get("C-04"),
            checklist_item=item,
        )
        findings.raise_finding(
            audit,
            actor=auditor,
            grade="ofi",
            title="Quarantine marking",
            requirement_statement="Nonconforming outputs must be kept from unintended use.",
            evidence="Quarantine shelf seen in the inspection room.",
            statement="Floor marking and a sign would make the quarantine area unmistakable.",
            process=processes.get("C-04"),
        )
        services.record_meeting(
            audit,
            actor=auditor,
            kind="closing",
            held_at=_at(start + dt.timedelta(days=1), 15),
            attendees="Ines Auditor (lead auditor)\nOmar Production (production manager)",
            notes="One minor nonconformity and one opportunity for improvement presented and "
            "accepted.",
        )
        audit.refresh_from_db()
        audit.summary = "Production and inspection are well controlled; traceability at release "
        audit.summary += "needs a systematic check."
        audit.conclusion = "The audited processes conform, except for one minor nonconformity."
        audit.save(update_fields=["summary", "conclusion"])
        services.transition_audit(audit, "reporting", actor=auditor)
        report_issue.issue_report(audit, actor=auditor)
        services.transition_audit(audit, "closed", actor=auditor)
    if not Audit.objects.filter(organization=org, reference="IA-2026-02").exists():
        start = today - dt.timedelta(days=1)
        audit = create_entry(
            AUDITS,
            org,
            actor=manager,
            reference="IA-2026-02",
            title="IT and information security",
            audit_type="internal",
            programme=programme,
            standards=[s for s in standards if s.code == "iso27001-2022"],
            scope="Access control, backups and supplier services of the IT function",
            criteria="ISO/IEC 27001:2022, POL-ISMS",
            processes=[p for c, p in processes.items() if c == "S-03"],
            requirements=list(
                Requirement.objects.filter(
                    standard__code="iso27001-2022", number__in=["A.5.15", "A.5.17", "A.8.13"]
                )
            ),
            start_date=start,
            end_date=start + dt.timedelta(days=2),
            lead_auditor=auditor,
        )
        services.add_team_member(audit, auditor, "lead", actor=manager)
        checklists.generate_checklist(audit, actor=auditor)
        services.transition_audit(audit, "prepared", actor=auditor)
        services.transition_audit(audit, "in_progress", actor=auditor)
        first = audit.checklist.order_by("sort_key").first()
        if first is not None and isinstance(first, ChecklistItem):
            checklists.update_item(
                first,
                actor=auditor,
                result="conforming",
                notes="Access reviews done quarterly; last one signed in October.",
            )
    _qualify_internal_auditor(org, auditor, manager)


def _qualify_internal_auditor(org, auditor, manager) -> None:
    """The internal auditor passed the path and logged her audits (people's demo): the
    qualification those records support is recorded, with its basis."""
    from pdca.audits.qualification import grant_internal_auditor, standings
    from pdca.people.models import Qualification

    iso9001 = Standard.objects.filter(code="iso9001-2015").first()
    if iso9001 is None or Qualification.objects.filter(organization=org, person=auditor).exists():
        return
    (standing,) = standings(org, users=[auditor], standards=[iso9001])
    if standing.qualified:
        grant_internal_auditor(org, auditor, iso9001, actor=manager)
