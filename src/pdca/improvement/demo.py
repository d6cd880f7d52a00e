"""The demo organization's corrective action (idempotent): the certification body's terms,
the policy, and nonconformities at every stage — a closed complaint, an incident whose first
fix did not work, one waiting for its effectiveness check, a recurrence, the internal audit's
finding in progress with an overdue action, and an employee's fresh report — plus improvement
opportunities. Timestamps of the finished ones are moved into the past so the analytics show a
history."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.registers.services import create_entry
from pdca.documents.evidence.services import store_evidence
from pdca.improvement.actions import add_corrective_action, implement_corrective_action
from pdca.improvement.models import CapaPolicy, CertificationTerms, CorrectiveAction, Nonconformity
from pdca.improvement.policy import update_capa_policy
from pdca.improvement.registers import CERTIFICATION_TERMS, OPPORTUNITIES
from pdca.improvement.reporting import report_nonconformity
from pdca.improvement.workflow.services import transition_nonconformity
from pdca.standards.models import Requirement
from pdca.system.models import Process
from pdca.tenancy.models import Organization

PEOPLE = {
    "manager": "quality@acme.example",
    "ceo": "ceo@acme.example",
    "owner": "production@acme.example",
    "auditor": "auditor@acme.example",
    "employee": "employee@acme.example",
}


def _req(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def _backdate(nc: Nonconformity, today: dt.date, **days_ago: int) -> None:
    """Move the step timestamps `days_ago` into the past (demo history only)."""
    values: dict[str, dt.date] = {
        name: timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=n), dt.time(10)))
        for name, n in days_ago.items()
    }
    if "created_at" in days_ago and "closed_at" in days_ago:
        values["due_date"] = today - dt.timedelta(days=days_ago["created_at"] - 60)
    Nonconformity.objects.filter(pk=nc.pk).update(**values)


def _evidence(org, name: str, text: str, actor):
    return store_evidence(org, (name, text.encode()), actor=actor)


class _Demo:
    def __init__(self, org, people, processes, today):
        self.org, self.p, self.processes, self.today = org, people, processes, today

    def report(self, title, description, source, reporter, process):
        existing = Nonconformity.objects.filter(organization=self.org, title=title).first()
        if existing:
            return None
        return report_nonconformity(
            self.org,
            actor=self.p[reporter],
            title=title,
            description=description,
            source=source,
            process=self.processes[process],
        )

    def triage(self, nc, severity, requirements, owner="owner"):
        transition_nonconformity(
            nc,
            "triage",
            actor=self.p["manager"],
            severity=severity,
            owner=self.p[owner],
            process=nc.process or self.processes["C-04"],
            requirements=requirements,
        )

    def contain(self, nc, correction, filename):
        file = _evidence(self.org, filename, correction, self.p["owner"])
        transition_nonconformity(
            nc, "contain", actor=self.p["owner"], correction=correction, evidence=[file]
        )

    def analyse(self, nc, whys, root_cause, categories=()):
        transition_nonconformity(
            nc,
            "analyse",
            actor=self.p["owner"],
            method="five_whys" if whys else "categories",
            whys=list(whys),
            categories=list(categories),
            root_cause=root_cause,
        )

    def act(self, nc, title, criteria, *, owner="owner", days=14, implement=True):
        action = add_corrective_action(
            nc,
            actor=self.p["owner"],
            title=title,
            owner=self.p[owner],
            due_date=self.today + dt.timedelta(days=days),
        )
        transition_nonconformity(nc, "plan", actor=self.p["owner"], effectiveness_criteria=criteria)
        if implement:
            file = _evidence(self.org, f"{title[:40]}.txt", f"Done: {title}", self.p[owner])
            implement_corrective_action(
                action, actor=self.p[owner], note=f"Done: {title}.", evidence=[file]
            )
            transition_nonconformity(nc, "implement", actor=self.p["owner"])
        return action

    def verify(self, nc, effective, notes, by="auditor", implemented_days_ago=30):
        _backdate(nc, self.today, implemented_at=implemented_days_ago)
        transition_nonconformity(nc, "verify", actor=self.p[by], effective=effective, notes=notes)


def load(context: dict) -> None:
    org = Organization.objects.filter(slug="acme").first()
    found = {k: User.objects.filter(email=v).first() for k, v in PEOPLE.items()}
    people = {k: user for k, user in found.items() if user is not None}
    if org is None or len(people) < len(found):
        return
    processes = {p.code: p for p in Process.objects.filter(organization=org)}
    if not {"C-03", "C-04", "S-03"} <= set(processes):
        return
    today = timezone.localdate()
    manager = people["manager"]
    if not CertificationTerms.objects.filter(organization=org).exists():
        create_entry(
            CERTIFICATION_TERMS,
            org,
            actor=manager,
            name="Northbridge Certification",
            is_default=True,
            major_response_days=30,
            major_closure_days=90,
            minor_response_days=30,
            minor_closure_days=None,
            escalate_after_days=7,
            notes="From the certification agreement, section 7 (findings).",
        )
    if not CapaPolicy.objects.filter(organization=org).exists():
        update_capa_policy(
            org,
            actor=manager,
            major_due_days=60,
            minor_due_days=90,
            major_wait_days=30,
            minor_wait_days=14,
        )
    demo = _Demo(org, people, processes, today)
    control = _req("iso9001-2015", "8.7")

    burrs = demo.report(
        "Burrs on edges of batch 4411",
        "Customer Nordwerk returned 40 flanges of batch 4411 with burrs on the bore edge.",
        "complaint",
        "manager",
        "C-03",
    )
    if burrs:
        demo.triage(burrs, "minor", [control])
        demo.contain(burrs, "Batch 4411 sorted and deburred; 40 parts replaced.", "sort-4411.txt")
        demo.analyse(
            burrs,
            ["Deburring step skipped", "Not on the traveller", "Traveller template lacks it"],
            "The traveller template has no deburring step for flanges.",
        )
        demo.act(burrs, "Add deburring to the flange traveller", "No burr complaint in 3 months.")
        demo.verify(burrs, True, "Three months of flange lots inspected: no burrs.", by="ceo")
        transition_nonconformity(burrs, "close", actor=manager)
        _backdate(
            burrs,
            today,
            created_at=150,
            triaged_at=149,
            contained_at=148,
            analysed_at=140,
            planned_at=139,
            implemented_at=100,
            verified_at=80,
            closed_at=78,
        )

    laptop = demo.report(
        "Laptop with drawings lost on a train",
        "A sales laptop holding customer drawings was left on a train; it was not encrypted.",
        "incident",
        "manager",
        "S-03",
    )
    if laptop:
        devices = _req("iso27001-2022", "A.8.1")
        demo.triage(laptop, "major", [devices])
        demo.contain(laptop, "Laptop wiped remotely; customer informed.", "wipe-log.txt")
        demo.analyse(
            laptop, (), "Disk encryption was optional for sales laptops.", ["method", "machine"]
        )
        demo.act(laptop, "Remind staff to encrypt laptops", "Every laptop encrypted.")
        demo.verify(
            laptop,
            False,
            "Spot check: 3 of 12 laptops still unencrypted.",
            implemented_days_ago=40,
        )
        demo.analyse(laptop, (), "Encryption depended on people; it must be enforced.", ["method"])
        demo.act(laptop, "Enforce disk encryption by device policy", "Every laptop encrypted.")
        demo.verify(laptop, True, "Device report: 12 of 12 laptops encrypted.", by="ceo")
        transition_nonconformity(laptop, "close", actor=manager)
        _backdate(laptop, today, created_at=120, triaged_at=119, closed_at=30)

    scrap = demo.report(
        "Scrap rate above 3% on the CNC cell",
        "Scrap on the CNC cell was 4.2% in the last month against a 3% limit.",
        "deviation",
        "manager",
        "C-03",
    )
    if scrap:
        demo.triage(scrap, "minor", [_req("iso9001-2015", "8.5.1")])
        demo.contain(scrap, "Tool wear limits tightened on the cell.", "tool-limits.txt")
        demo.analyse(scrap, ["Worn tools", "Tool life not tracked"], "Tool life is not tracked.")
        demo.act(scrap, "Track tool life in the machine counters", "Scrap under 3% for 2 months.")
        _backdate(scrap, today, created_at=45, implemented_at=20)

    repeat = demo.report(
        "Burrs on edges of batch 4520",
        "Burrs again on flange bores, batch 4520, found at incoming inspection by Nordwerk.",
        "complaint",
        "manager",
        "C-03",
    )
    if repeat:
        demo.triage(repeat, "major", [control])
        demo.contain(repeat, "Batch 4520 held and deburred.", "hold-4520.txt")

    _audit_finding(demo, today)
    _certification_findings(demo, today)

    demo.report(
        "Safety guard removed on lathe 3",
        "The chuck guard of lathe 3 was off during the night shift.",
        "employee",
        "employee",
        "C-03",
    )
    _opportunities(org, people)


def _audit_finding(demo: _Demo, today: dt.date) -> None:
    """Take the internal audit's minor nonconformity to "action planned", one action overdue."""
    nc = (
        Nonconformity.objects.filter(organization=demo.org, source="internal_audit")
        .order_by("pk")
        .first()
    )
    if nc is None or nc.status != Nonconformity.Status.REPORTED:
        return
    demo.triage(nc, "minor", [_req("iso9001-2015", "8.5.2")])
    nc.refresh_from_db()
    demo.contain(nc, "The two lots were held until certificates arrived.", "lots-held.txt")
    demo.analyse(
        nc,
        ["Released without certificate", "Check not on the release form"],
        "The release form does not ask for the material certificate.",
    )
    first = add_corrective_action(
        nc,
        actor=demo.p["owner"],
        title="Add the certificate check to the release form",
        owner=demo.p["owner"],
        due_date=today + dt.timedelta(days=1),
    )
    demo.act(
        nc,
        "Brief inspectors on the new release form",
        "No lot released without certificate in the next audit sample.",
        days=21,
        implement=False,
    )
    # An action past its due date, for the task lists and reminders.
    CorrectiveAction.objects.filter(pk=first.pk).update(due_date=today - dt.timedelta(days=3))


def _opportunities(org, people) -> None:
    from pdca.improvement.models import ImprovementOpportunity

    if ImprovementOpportunity.objects.filter(organization=org, source="suggestion").exists():
        return
    create_entry(
        OPPORTUNITIES,
        org,
        actor=people["employee"],
        title="Calibration reminders in the shared calendar",
        description="Put each gauge's calibration date in the shared calendar.",
        source="suggestion",
        benefit="Fewer gauges found out of date at audits.",
        process=Process.objects.filter(organization=org, code="S-04").first(),
    )


def _certification_findings(demo: _Demo, today: dt.date) -> None:
    """Northbridge's stage 2 findings, recorded by the organization: a major (triaged) and a
    minor (not yet) whose responses are more than a week overdue, so both are escalated."""
    from pdca.audits import findings
    from pdca.audits.models import Audit
    from pdca.audits.registers import AUDITS
    from pdca.improvement.notifications import escalate_overdue
    from pdca.standards.models import Standard

    if Audit.objects.filter(organization=demo.org, reference="S2-2026").exists():
        return
    manager = demo.p["manager"]
    end = today - dt.timedelta(days=45)
    audit = create_entry(
        AUDITS,
        demo.org,
        actor=manager,
        reference="S2-2026",
        title="Stage 2 certification audit by Northbridge Certification",
        audit_type="stage2",
        standards=list(Standard.objects.filter(code="iso9001-2015")),
        scope="Design-free CNC machining of flanges and housings at the Wakefield plant",
        start_date=end - dt.timedelta(days=2),
        end_date=end,
    )
    major = findings.raise_finding(
        audit,
        actor=manager,
        grade="major",
        title="Management review does not cover every required input",
        requirement_statement="The management review considers the inputs the standard lists, "
        "among them the performance of external providers and the adequacy of resources.",
        evidence="Minutes of the two reviews held in 2026: no supplier performance, no "
        "resources, no effectiveness of actions taken on risks.",
        statement="The management review is not carried out with the required inputs.",
        requirements=[_req("iso9001-2015", "9.3.2")],
        process=demo.processes.get("M-01"),
    )
    findings.raise_finding(
        audit,
        actor=manager,
        grade="minor",
        title="Obsolete drawing revision at machine 4",
        requirement_statement="Documented information is controlled so that the right version "
        "is available where it is used.",
        evidence="Drawing H-220 rev B at machine 4; rev C released in May.",
        statement="An obsolete revision was available at the point of use.",
        requirements=[_req("iso9001-2015", "7.5.3")],
        process=demo.processes.get("C-03"),
    )
    raised = major.nonconformity
    assert raised is not None  # a major finding opens a nonconformity
    raised.refresh_from_db()
    demo.triage(raised, "major", [_req("iso9001-2015", "9.3.2")], owner="ceo")
    escalate_overdue(organization=demo.org, today=today)
