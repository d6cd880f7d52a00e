"""The demo organization's competence and training (idempotent): teams and sites for its
people, the shipped paths, six competence requirements, training records that make a
realistic matrix (people competent, evidence expiring within 90 days, evidence expired, gaps
with and without an action), an overdue assignment, an awareness campaign half done at the
machining plant, and an internal auditor who passed the internal auditor path by taking it
(so the audits app shows her qualified)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.activity import record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.registers.services import create_entry
from pdca.documents import acknowledgements
from pdca.documents.models import Document
from pdca.documents.starter.catalogue import get_starter
from pdca.documents.versions.services import published_version
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    CompetenceRequirement,
    Enrolment,
    ModuleCompletion,
    QuizAttempt,
    TrainingPath,
    TrainingRecord,
)
from pdca.people.registers import CAMPAIGNS, RECORDS, REQUIREMENTS
from pdca.people.services.assignments import assign_path
from pdca.people.services.campaigns import launch_campaign
from pdca.people.services.course_files import install_shipped_paths
from pdca.people.services.learning import (
    complete_lesson,
    path_modules,
    quiz_questions,
    start_path,
    submit_quiz,
)
from pdca.people.services.rules import add_months
from pdca.standards.models import Standard
from pdca.system.models import Process
from pdca.tenancy.models import Membership, Organization, Site

MANAGER = "quality@acme.example"
PEOPLE = {
    "admin": "admin@acme.example",
    "ceo": "ceo@acme.example",
    "manager": MANAGER,
    "consultant": "consultant@brightpath.example",
    "owner": "production@acme.example",
    "auditor": "auditor@acme.example",
    "employee": "employee@acme.example",
}
#: Who works where: (team, site code); the consultant is external and belongs to neither.
PLACES = {
    "admin": ("IT", "HQ"),
    "ceo": ("Management", "HQ"),
    "manager": ("Quality", "HQ"),
    "owner": ("Production", "PL1"),
    "auditor": ("Quality", "PL1"),
    "employee": ("Production", "PL1"),
}
CAMPAIGN_TITLE = "Policies and awareness 2026: machining plant"
OVERDUE_NOTE = "Induction: awareness path for new starters"


def _place(membership: Membership, team: str, site: Site | None, actor) -> None:
    """Put a member in a team and at a site; nothing is written when they are there already."""
    lock_for_update(membership, check=False)
    before = snapshot(membership)
    membership.team, membership.site = team, site
    if save_changed(membership):
        record_update(actor=actor, obj=membership, before=before)


def _requirements(org, manager, paths: dict[str, TrainingPath], sites: dict[str, Site]):
    process = Process.objects.filter(organization=org, code="C-03").first()
    specs: list[dict[str, Any]] = [
        {
            "code": "CR-01",
            "title": "Management system awareness",
            "kind": "awareness",
            "evaluation": "path_passed",
            "path": paths["awareness"],
            "description": "Everyone working for Acme, employees and contractors alike, knows "
            "the policies, their part in the system and how to report a problem (7.3).",
        },
        {
            "code": "CR-02",
            "title": "Internal auditor training",
            "kind": "training",
            "evaluation": "path_passed",
            "path": paths["internal-auditor"],
            "role": "internal_auditor",
            "description": "ISO 19011 principles, planning, evidence, findings and reporting.",
        },
        {
            "code": "CR-03",
            "title": "Forklift truck licence",
            "kind": "qualification",
            "evaluation": "qualification",
            "team": "Production",
            "site": sites.get("PL1"),
            "validity_months": 36,
            "description": "Counterbalance truck licence from an accredited provider; "
            "refresher every three years.",
        },
        {
            "code": "CR-04",
            "title": "Two years' experience in production",
            "kind": "experience",
            "evaluation": "experience",
            "role": "process_owner",
            "min_experience_months": 24,
            "process": process,
            "description": "A process owner has run or supervised the process for two years.",
        },
        {
            "code": "CR-05",
            "title": "Lead implementer training",
            "kind": "training",
            "evaluation": "path_passed",
            "path": paths["lead-implementer"],
            "role": "system_manager",
            "validity_months": 36,
            "description": "The path in pdca, or an external lead implementer course.",
        },
        {
            "code": "CR-06",
            "title": "Backup and restore of the ERP system",
            "kind": "skill",
            "evaluation": "assessed",
            "team": "IT",
            "description": "Restores a backup to the test server unaided (A.8.13), assessed "
            "by the IT lead.",
        },
    ]
    made = {r.code: r for r in CompetenceRequirement.objects.filter(organization=org)}
    for spec in specs:
        if spec["code"] not in made:
            values = {k: v for k, v in spec.items() if v is not None}
            made[spec["code"]] = create_entry(
                REQUIREMENTS, org, actor=manager, owner=manager, **values
            )
    return made


def _records(org, manager, people: dict[str, User], reqs, paths, today: dt.date) -> None:
    awareness = paths["awareness"]
    iso9001 = Standard.objects.filter(code="iso9001-2015").first()
    iso27001 = Standard.objects.filter(code="iso27001-2022").first()
    days = dt.timedelta

    def path_record(who: str, completed: dt.date, expires: dt.date) -> dict[str, Any]:
        return {
            "person": people[who],
            "title": awareness.title,
            "path": awareness,
            "requirement": reqs["CR-01"],
            "provider": "Acme Precision Ltd (classroom session)",
            "completed_on": completed,
            "expires_on": expires,
            "hours": 3,
        }

    lead_done = add_months(today, -36) + days(60)
    licence_eli = add_months(today, -14)
    licence_omar = add_months(today, -38)
    specs: list[dict[str, Any]] = [
        path_record("ceo", add_months(today, -8), add_months(today, 16)),
        path_record("manager", add_months(today, -14), add_months(today, 10)),
        # Expires within 90 days: the refresher is due.
        path_record("owner", add_months(today, -24) + days(45), today + days(45)),
        # Expired three months ago.
        path_record("employee", add_months(today, -27), add_months(today, -3)),
        {
            "person": people["employee"],
            "kind": "qualification",
            "title": "Counterbalance forklift licence",
            "requirement": reqs["CR-03"],
            "provider": "Yorkshire Lift Training",
            "provider_recognized": True,
            "recognized_by": "RTITB",
            "certificate_number": "RT-448213",
            "completed_on": licence_eli,
            "expires_on": add_months(licence_eli, 36),
            "hours": 21,
        },
        {
            "person": people["owner"],
            "kind": "qualification",
            "title": "Counterbalance forklift licence",
            "requirement": reqs["CR-03"],
            "provider": "Yorkshire Lift Training",
            "provider_recognized": True,
            "recognized_by": "RTITB",
            "certificate_number": "RT-301577",
            "completed_on": licence_omar,
            "expires_on": add_months(licence_omar, 36),
            "hours": 21,
        },
        {
            "person": people["owner"],
            "kind": "experience",
            "title": "Cell leader, 5-axis machining",
            "requirement": reqs["CR-04"],
            "provider": "Acme Precision Ltd",
            "started_on": add_months(today, -96),
            "completed_on": add_months(today, -60),
        },
        {
            "person": people["owner"],
            "kind": "experience",
            "title": "Production manager",
            "requirement": reqs["CR-04"],
            "provider": "Acme Precision Ltd",
            "started_on": add_months(today, -60),
            "completed_on": today - days(1),
        },
        {
            "person": people["manager"],
            "kind": "training",
            "title": "ISO 9001 lead implementer (5 days)",
            "requirement": reqs["CR-05"],
            "provider": "Pennine Quality Academy",
            "provider_recognized": True,
            "recognized_by": "CQI and IRCA",
            "certificate_number": "LI-2023-0917",
            "completed_on": lead_done,
            "expires_on": add_months(lead_done, 36),
            "hours": 40,
            "score": 86,
        },
        # Audits the internal auditor took part in before: with the path, her qualification.
        {
            "person": people["auditor"],
            "kind": "audit",
            "title": "Supplier audit of Castleford Castings",
            "audit_role": "observer",
            "audit_reference": "SA-2025-04",
            "standard": iso9001,
            "started_on": add_months(today, -9),
            "completed_on": add_months(today, -9) + days(1),
        },
        {
            "person": people["auditor"],
            "kind": "audit",
            "title": "Internal audit of purchasing",
            "audit_role": "auditor",
            "audit_reference": "IA-2025-03",
            "standard": iso9001,
            "started_on": add_months(today, -5),
            "completed_on": add_months(today, -5) + days(1),
        },
        {
            "person": people["auditor"],
            "kind": "audit",
            "title": "Internal audit of access control",
            "audit_role": "observer",
            "audit_reference": "IA-2025-05",
            "standard": iso27001,
            "started_on": add_months(today, -4),
            "completed_on": add_months(today, -4),
        },
    ]
    for spec in specs:
        if TrainingRecord.objects.filter(
            organization=org, person=spec["person"], title=spec["title"]
        ).exists():
            continue
        values = {k: v for k, v in spec.items() if v is not None}
        create_entry(RECORDS, org, actor=manager, **values)


def _take_path(path: TrainingPath, user: User, *, upto: int | None = None) -> Enrolment:
    """`user` takes `path` for real: reads each lesson and answers each quiz as the course's
    right answers say (stopping after `upto` modules)."""
    enrolment = start_path(path, actor=user)
    for index, module in enumerate(path_modules(path)):
        if upto is not None and index >= upto:
            break
        if ModuleCompletion.objects.filter(enrolment=enrolment, module=module).exists():
            continue
        if module.kind == "lesson":
            complete_lesson(enrolment, module, actor=user)
        else:
            answers = {
                q.key: [c.position for c in q.choices.all() if c.correct]
                for q in quiz_questions(module)
            }
            submit_quiz(enrolment, module, answers, actor=user)
        enrolment.refresh_from_db()
    return enrolment


def _backdate(enrolment: Enrolment, days_ago: int, took_days: int) -> None:
    """Move a completed enrolment `days_ago` into the past (demo history only)."""
    done = timezone.now() - dt.timedelta(days=days_ago)
    start = done - dt.timedelta(days=took_days)
    Enrolment.objects.filter(pk=enrolment.pk).update(started_at=start, completed_at=done)
    ModuleCompletion.objects.filter(enrolment=enrolment).update(completed_at=done)
    QuizAttempt.objects.filter(enrolment=enrolment).update(submitted_at=done)
    record = enrolment.record
    if record is not None:
        path = enrolment.path
        months = path.validity_months
        TrainingRecord.objects.filter(pk=record.pk).update(
            started_on=start.date(),
            completed_on=done.date(),
            expires_on=add_months(done.date(), months) if months else None,
        )


def _auditor_passes(org, people, paths) -> None:
    path = paths["internal-auditor"]
    auditor = people["auditor"]
    if Enrolment.objects.filter(path=path, person=auditor, completed_at__isnull=False).exists():
        return
    enrolment = _take_path(path, auditor)
    enrolment.refresh_from_db()
    if enrolment.completed_at is not None:
        _backdate(enrolment, days_ago=60, took_days=12)


def _overdue_assignment(org, manager, people, paths, today: dt.date) -> None:
    admin = people["admin"]
    if Assignment.objects.filter(organization=org, person=admin, note=OVERDUE_NOTE).exists():
        return
    assignment = assign_path(
        paths["awareness"],
        actor=manager,
        due_date=today,
        person=admin,
        owner=manager,
        note=OVERDUE_NOTE,
    )
    # Assigned six weeks ago, due ten days ago (demo history only).
    Assignment.objects.filter(pk=assignment.pk).update(
        due_date=today - dt.timedelta(days=10),
        created_at=timezone.now() - dt.timedelta(days=42),
    )


def _campaign(org, manager, people, paths, sites, today: dt.date) -> None:
    if AwarenessCampaign.objects.filter(organization=org, title=CAMPAIGN_TITLE).exists():
        return
    titles = [
        getattr(get_starter(k), "title", "")
        for k in ("quality-policy", "information-security-policy")
    ]
    documents = [
        d
        for d in Document.objects.filter(organization=org, title__in=titles)
        if published_version(d) is not None
    ]
    if not documents or "PL1" not in sites:
        return
    campaign = create_entry(
        CAMPAIGNS,
        org,
        actor=manager,
        title=CAMPAIGN_TITLE,
        description="Everyone at the Wakefield plant reads the quality and information "
        "security policies and passes the awareness path before the surveillance audit.",
        documents=documents,
        path=paths["awareness"],
        site=sites["PL1"],
        due_date=today + dt.timedelta(days=21),
        owner=manager,
    )
    launch_campaign(campaign, actor=manager)
    versions = [published_version(d) for d in documents]
    # Half done: the auditor has read both and passed; the production manager has read the
    # quality policy and started the path; the machinist has read only what he read before.
    for version in versions:
        if version is not None:
            acknowledgements.acknowledge(version, actor=people["auditor"])
    first = versions[0]
    if first is not None:
        acknowledgements.acknowledge(first, actor=people["owner"])
    _take_path(paths["awareness"], people["auditor"])
    _take_path(paths["awareness"], people["owner"], upto=1)


def load(context: dict) -> None:
    org = Organization.objects.filter(slug="acme").first()
    manager = User.objects.filter(email=MANAGER).first()
    if org is None or manager is None:
        return
    today = timezone.localdate()
    found = {key: User.objects.filter(email=email).first() for key, email in PEOPLE.items()}
    people = {key: user for key, user in found.items() if user is not None}
    if len(people) != len(PEOPLE):
        return
    sites = {s.code: s for s in Site.objects.filter(organization=org)}
    for key, (team, code) in PLACES.items():
        membership = Membership.objects.filter(organization=org, user=people[key]).first()
        if membership is not None:
            _place(membership, team, sites.get(code), manager)
    paths = {p.code: p for p in install_shipped_paths(org, actor=manager)}
    reqs = _requirements(org, manager, paths, sites)
    _records(org, manager, people, reqs, paths, today)
    _auditor_passes(org, people, paths)
    _overdue_assignment(org, manager, people, paths, today)
    _campaign(org, manager, people, paths, sites, today)
