"""Northbridge Certification's demo: a certification body with clients at every point of their
cycles, built through the services (so every step is in its activity log):

- Acme Manufacturing (the Acme organization of the demo, as Northbridge's client): stage 1
  found areas of concern; stage 2 ended 45 days ago with a major and a minor finding; the
  major's plan is accepted but not yet verified, the minor's answer awaits review, so the
  decision checklist says what is missing;
- Harbour Foods: an integrated ISO 9001 and ISO 14001 application with its audit time,
  submitted for contract review (one auditor declared past consultancy to it);
- Kestrel Logistics: stage 1 done (ready), stage 2 scheduled next month;
- Meridian Software: certified to ISO/IEC 27001 seven months ago, first surveillance ahead;
- Oakfield Plastics: certified fourteen months ago, first surveillance overdue (proposed for
  suspension);
- Pennine Engineering: suspended, the second surveillance not allowed;
- Riverside Print: recertified before expiry (its first certificate renewed);
- Calder Coatings: certified to ISO 14001:2015 ten months ago and, with ISO 14001:2026 in the
  catalog, in transition: its transition audit is combined with the first surveillance, due
  in about two months, and the lead auditor has the transition training for ISO 14001:2026.
  (Without the 2026 catalog the client is only certified.)

Also the body's profile and accreditation, its auditors' qualifications, declared conflicts
and its impartiality risks. Audits held in the past are moved through the audits workflow and
their reports issued today with the lead auditor's stated exceptions (the demo does not fill
in every working paper).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from pdca.accounts.models import User
from pdca.audits import findings as audit_findings
from pdca.audits.models import Audit
from pdca.audits.report.completeness import missing_for_issue
from pdca.audits.report.issue import issue_report
from pdca.audits.services import add_plan_item, add_team_member, transition_audit
from pdca.certification.models import (
    Application,
    CertificationCycle,
    Client,
    CycleAudit,
    FindingReview,
)
from pdca.certification.registers import CLIENTS, CONFLICTS, SCOPES, SITES
from pdca.certification.services import dates
from pdca.certification.services.applications import create_application, transition_application
from pdca.certification.services.audit_time import calculate_application_time
from pdca.certification.services.certificate_transitions import transition_certificate
from pdca.certification.services.cycles import open_cycle
from pdca.certification.services.decisions import decide
from pdca.certification.services.finding_reviews import (
    record_client_answer,
    review_plan,
)
from pdca.certification.services.profile import update_profile
from pdca.certification.services.programme_audits import (
    record_delivered_days,
    record_stage1_outcome,
    schedule_audit,
)
from pdca.certification.services.transitions import plan_transition_audit, transition_options
from pdca.core.registers.services import create_entry
from pdca.people.models import Qualification
from pdca.people.services.transition_training import record_transition_training
from pdca.risks.registers import RISKS
from pdca.standards.models import Standard
from pdca.tenancy.models import Organization

SLUG = "northbridge"
MANAGER = "manager@northbridge.example"
LEAD = "lead@northbridge.example"
AUDITOR = "auditor@northbridge.example"
EXPERT = "expert@northbridge.example"
DECIDER = "decision@northbridge.example"


class _Demo:
    def __init__(self, org: Organization) -> None:
        self.org = org
        self.today = timezone.localdate()
        self.p = {
            key: User.objects.get(email=email)
            for key, email in (
                ("manager", MANAGER),
                ("lead", LEAD),
                ("auditor", AUDITOR),
                ("expert", EXPERT),
                ("decider", DECIDER),
            )
        }

    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def standards(self, *codes: str) -> list[Standard]:
        return list(Standard.objects.filter(code__in=codes))

    # --- clients and applications ---------------------------------------------------------

    def client(self, name: str, sector: str, sites: list[tuple[str, int]], **fields: Any):
        client = create_entry(
            CLIENTS,
            self.org,
            actor=self.p["manager"],
            name=name,
            legal_name=f"{name} Ltd",
            country="GB",
            sector_codes=sector,
            contact_name=fields.pop("contact", "Quality manager"),
            contact_email=f"quality@{name.split()[0].lower()}.example",
            owner=self.p["manager"],
            **fields,
        )
        made = [
            create_entry(
                SITES,
                self.org,
                actor=self.p["manager"],
                client=client,
                name=site,
                headcount=headcount,
                is_central=index == 0 and len(sites) > 1,
                country="GB",
            )
            for index, (site, headcount) in enumerate(sites)
        ]
        return client, made

    def application(
        self,
        client: Client,
        sites: list,
        codes: tuple[str, ...],
        scope: str,
        *,
        personnel: int,
        accept: bool = True,
        kind: str = Application.Kind.INITIAL,
        **fields: Any,
    ) -> Application:
        manager = self.p["manager"]
        application = create_application(
            self.org,
            actor=manager,
            client=client,
            kind=kind,
            standards=self.standards(*codes),
            scope=scope,
            sites=sites,
            sector_codes=client.sector_codes,
            permanent_personnel=personnel,
            **fields,
        )
        calculate_application_time(application, actor=manager)
        transition_application(application, Application.Status.SUBMITTED, actor=manager)
        if accept:
            transition_application(
                application,
                Application.Status.ACCEPTED,
                actor=manager,
                notes="Accredited scope, competent auditors free of conflicts, no threat to "
                "impartiality found.",
            )
        application.refresh_from_db()
        return application

    # --- audits -----------------------------------------------------------------------------

    def hold(
        self,
        item: CycleAudit,
        end: dt.date,
        *,
        days: int = 2,
        findings: tuple[tuple[str, str, str], ...] = (),
        report: bool = True,
    ) -> Audit:
        """Schedule `item` to end on `end`, conduct it (with `findings`: grade, title,
        statement) and issue its report; the delivered days are the planned ones."""
        lead, auditor = self.p["lead"], self.p["auditor"]
        start = end - dt.timedelta(days=days - 1)
        scheduled = schedule_audit(
            item, start_date=start, end_date=end, lead_auditor=lead, actor=self.p["manager"]
        )
        audit = Audit.objects.get(pk=scheduled.audit.pk)
        add_team_member(audit, auditor, "auditor", actor=lead)
        add_plan_item(
            audit,
            actor=lead,
            starts_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9))),
            ends_at=timezone.make_aware(dt.datetime.combine(start, dt.time(9, 30))),
            activity="Opening meeting",
            auditor=lead,
        )
        for status in (Audit.Status.PREPARED, Audit.Status.IN_PROGRESS):
            transition_audit(audit, status, actor=lead)
        for grade, title, statement in findings:
            audit_findings.raise_finding(
                audit,
                actor=lead,
                grade=grade,
                title=title,
                requirement_statement="See the clause named in the finding.",
                evidence="Records and interviews on the day, listed in the audit notes.",
                statement=statement,
            )
        if not report:
            return audit
        transition_audit(audit, Audit.Status.REPORTING, actor=lead)
        exceptions = {
            missing.code: "Demo audit: the working papers are summarized, not filled in."
            for missing in missing_for_issue(audit)
        }
        issue_report(audit, actor=lead, exceptions=exceptions)
        item.refresh_from_db()
        if item.planned_days is not None:
            record_delivered_days(item, item.planned_days, "", actor=self.p["manager"])
        return audit

    def item(self, cycle: CertificationCycle, kind: str, sequence: int = 1) -> CycleAudit:
        return CycleAudit.objects.get(cycle=cycle, kind=kind, sequence=sequence, audit=None)

    def certify(
        self,
        name: str,
        sector: str,
        codes: tuple[str, ...],
        scope: str,
        *,
        decided: dt.date,
        personnel: int,
        complexity: str = "",
    ) -> CertificationCycle:
        """A client certified on `decided` after a stage 1 (ready) and a stage 2."""
        client, sites = self.client(name, sector, [("Head office", personnel)])
        application = self.application(
            client, sites, codes, scope, personnel=personnel, complexity=complexity
        )
        cycle = open_cycle(application, actor=self.p["manager"])
        stage1 = self.item(cycle, CycleAudit.Kind.STAGE1)
        self.hold(stage1, decided - dt.timedelta(days=70), days=1)
        record_stage1_outcome(stage1, "ready", "", actor=self.p["manager"])
        self.hold(self.item(cycle, CycleAudit.Kind.STAGE2), decided - dt.timedelta(days=20))
        decide(
            cycle,
            outcome="granted",
            notes="Report complete; no nonconformity; scope and sites confirmed.",
            on=decided,
            actor=self.p["decider"],
        )
        cycle.refresh_from_db()
        return cycle


def load(context: dict) -> None:
    org = Organization.objects.filter(slug=SLUG).first()
    if org is None or Client.objects.filter(organization=org).exists():
        return
    demo = _Demo(org)
    _body(demo)
    _acme(demo)
    _harbour(demo)
    _kestrel(demo)
    meridian = demo.certify(
        "Meridian Software",
        "33",
        ("iso27001-2022",),
        "Development and hosting of payroll software, from the Leeds office",
        decided=demo.ago(210),
        personnel=85,
    )
    assert meridian.status == CertificationCycle.Status.CERTIFIED
    demo.certify(
        "Oakfield Plastics",
        "14",
        ("iso14001-2015",),
        "Injection moulding of plastic housings",
        decided=demo.ago(425),
        personnel=60,
        complexity="medium",
    )
    _pennine(demo)
    _riverside(demo)
    _calder(demo)


def _body(demo: _Demo) -> None:
    manager = demo.p["manager"]
    update_profile(
        demo.org,
        actor=manager,
        accreditation_body="UKAS",
        accreditation_number="9999",
        address="12 Quay Street, Manchester M3 3HN, United Kingdom",
        certificate_prefix="NB",
        signatory_name="Ben Scheme",
        signatory_title="Scheme manager",
    )
    since = dt.date(2019, 4, 1)
    scopes = [
        ("iso9001-2015", ""),
        ("iso14001-2015", "14, 17, 19, 28"),
        ("iso45001-2018", "17, 19, 28, 31"),
        ("iso27001-2022", ""),
    ]
    if _new_edition() is not None:
        scopes.append(("iso14001-2026", "14, 17, 19, 28"))
    for code, sectors in scopes:
        create_entry(
            SCOPES,
            demo.org,
            actor=manager,
            standard=Standard.objects.get(code=code),
            sector_codes=sectors,
            valid_from=since,
            valid_until=dt.date(demo.today.year + 2, 3, 31),
        )
    for key, kind, codes, area in (
        (
            "lead",
            "lead_auditor",
            ("iso9001-2015", "iso14001-2015", "iso27001-2022"),
            "IAF 17, 19, 33",
        ),
        ("lead", "lead_auditor", ("iso45001-2018",), "IAF 17, 28"),
        (
            "auditor",
            "auditor",
            ("iso9001-2015", "iso14001-2015", "iso45001-2018", "iso27001-2022"),
            "IAF 14, 17",
        ),
        ("expert", "technical_expert", ("iso9001-2015",), "CNC machining (IAF 17)"),
        (
            "decider",
            "decision_maker",
            ("iso9001-2015", "iso14001-2015", "iso45001-2018", "iso27001-2022"),
            "",
        ),
    ):
        for code in codes:
            Qualification.objects.create(
                organization=demo.org,
                person=demo.p[key],
                kind=kind,
                standard=Standard.objects.get(code=code),
                technical_area=area,
                granted_on=dt.date(2022, 9, 1),
                expires_on=dt.date(demo.today.year + 1, 9, 1),
                granted_by=manager,
                basis="Lead auditor course passed, witnessed audit by the scheme manager.",
            )
    for number, (title, category, plan) in enumerate(
        (
            (
                "Fee dependence on a few large clients",
                "Impartiality: self-interest",
                "No client above 5 % of income; the impartiality committee reviews the top ten.",
            ),
            (
                "Auditing a system our former staff helped build",
                "Impartiality: self-review",
                "Two years' cooling-off after consultancy or employment, refused in team "
                "selection.",
            ),
            (
                "The same lead auditor year after year",
                "Impartiality: familiarity",
                "Team selection warns when a lead led the client in an earlier cycle; rotate.",
            ),
            (
                "Pressure from a client to close findings",
                "Impartiality: intimidation",
                "Decisions by someone not on the team; escalation to the committee.",
            ),
        ),
        start=1,
    ):
        create_entry(
            RISKS,
            demo.org,
            actor=manager,
            code=f"IMP-{number:02d}",
            title=title,
            category=category,
            inherent_likelihood=3,
            inherent_impact=4,
            treatment="reduce",
            treatment_plan=plan,
            residual_likelihood=2,
            residual_impact=3,
            owner=manager,
        )


def _acme(demo: _Demo) -> None:
    """Acme's initial certification: stage 2 over, the answers to its findings under review."""
    client, sites = demo.client(
        "Acme Manufacturing",
        "17",
        [("Wakefield plant", 62)],
        contact="Quinn Quality",
        existing_certifications="None (first certification).",
    )
    application = demo.application(
        client,
        sites,
        ("iso9001-2015",),
        "Design-free CNC machining of flanges and housings at the Wakefield plant",
        personnel=62,
        complexity="",
        consultancy_received=True,
        consultancy_by="Bright Path Consulting",
        consultancy_until=demo.ago(400),
    )
    cycle = open_cycle(application, actor=demo.p["manager"])
    stage1 = demo.item(cycle, CycleAudit.Kind.STAGE1)
    demo.hold(stage1, demo.ago(100), days=1)
    record_stage1_outcome(
        stage1,
        "concerns",
        "Management review held but its inputs incomplete; internal audit of production "
        "planned, not yet done.",
        actor=demo.p["manager"],
    )
    stage2 = demo.hold(
        demo.item(cycle, CycleAudit.Kind.STAGE2),
        demo.ago(45),
        days=3,
        findings=(
            (
                "major",
                "Management review does not cover every required input",
                "The management review is not carried out with the required inputs (9.3.2).",
            ),
            (
                "minor",
                "Obsolete drawing revision at machine 4",
                "An obsolete revision was available at the point of use (7.5.3).",
            ),
        ),
    )
    reviews = FindingReview.objects.filter(finding__audit=stage2).select_related("finding")
    for review in reviews:
        if review.finding.grade == "major":
            record_client_answer(
                review,
                "Extra management review held with the missing inputs.",
                "The agenda template predates the 2015 edition.",
                "New agenda template with every input; the system manager checks it.",
                demo.ago(30),
                actor=demo.p["lead"],
            )
            review_plan(review, True, "", actor=demo.p["lead"])
        else:
            record_client_answer(
                review,
                "Rev B removed from machine 4.",
                "Superseded drawings are not collected on release.",
                "Release checklist collects superseded prints.",
                demo.ago(25),
                actor=demo.p["lead"],
            )


def _harbour(demo: _Demo) -> None:
    client, sites = demo.client("Harbour Foods", "3", [("Grimsby plant", 140), ("Hull depot", 35)])
    demo.application(
        client,
        sites,
        ("iso9001-2015", "iso14001-2015"),
        "Processing and chilled distribution of fish products",
        personnel=175,
        accept=False,
        complexity="medium",
        integration_reduction=Decimal("10"),
        integration_notes="One management review, one internal audit programme, one manual.",
        multi_site=True,
    )
    create_entry(
        CONFLICTS,
        demo.org,
        actor=demo.p["manager"],
        person=demo.p["auditor"],
        client=client,
        kind="consultancy",
        description="Helped write the HACCP plan as a freelance consultant",
        started_on=demo.ago(900),
        ended_on=demo.ago(400),
        declared_on=demo.ago(60),
    )


def _kestrel(demo: _Demo) -> None:
    client, sites = demo.client("Kestrel Logistics", "31", [("Doncaster hub", 48)])
    application = demo.application(
        client,
        sites,
        ("iso9001-2015", "iso45001-2018"),
        "Warehousing and road haulage of palletised goods",
        personnel=48,
        complexity="medium",
        integration_reduction=Decimal("5"),
        integration_notes="Shared document control and internal audits; separate reviews.",
    )
    cycle = open_cycle(application, actor=demo.p["manager"])
    stage1 = demo.item(cycle, CycleAudit.Kind.STAGE1)
    demo.hold(stage1, demo.ago(20), days=1)
    record_stage1_outcome(stage1, "ready", "", actor=demo.p["manager"])
    start = demo.today + dt.timedelta(days=25)
    schedule_audit(
        demo.item(cycle, CycleAudit.Kind.STAGE2),
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        lead_auditor=demo.p["lead"],
        actor=demo.p["manager"],
    )


def _pennine(demo: _Demo) -> None:
    cycle = demo.certify(
        "Pennine Engineering",
        "18",
        ("iso9001-2015",),
        "Fabrication of steel structures",
        decided=demo.ago(820),
        personnel=30,
    )
    demo.hold(demo.item(cycle, CycleAudit.Kind.SURVEILLANCE, 1), demo.ago(480), days=1)
    certificate = cycle.certificates.get()
    transition_certificate(
        certificate,
        "suspended",
        actor=demo.p["manager"],
        reason="The client did not allow the second surveillance audit within the year.",
        on=demo.ago(60),
    )


def _riverside(demo: _Demo) -> None:
    """Certified almost three years ago; recertified last month, before expiry."""
    decided = dates.add_months(demo.today, -36) + dt.timedelta(days=40)
    cycle = demo.certify(
        "Riverside Print",
        "9",
        ("iso9001-2015",),
        "Commercial printing and finishing",
        decided=decided,
        personnel=22,
    )
    demo.hold(
        demo.item(cycle, CycleAudit.Kind.SURVEILLANCE, 1), decided + dt.timedelta(days=330), days=1
    )
    demo.hold(
        demo.item(cycle, CycleAudit.Kind.SURVEILLANCE, 2), decided + dt.timedelta(days=690), days=1
    )
    application = demo.application(
        cycle.client,
        list(cycle.sites.all()),
        ("iso9001-2015",),
        cycle.scope,
        personnel=22,
        kind=Application.Kind.RECERTIFICATION,
    )
    renewal = open_cycle(application, actor=demo.p["manager"])
    demo.hold(demo.item(renewal, CycleAudit.Kind.RECERTIFICATION), demo.ago(35), days=1)
    decide(
        renewal,
        outcome="granted",
        notes="Recertification audit: no nonconformity; renewed before expiry.",
        on=demo.ago(10),
        actor=demo.p["decider"],
    )


def _new_edition() -> Standard | None:
    """ISO 14001:2026 when the catalog holds it as the edition replacing ISO 14001:2015."""
    found = Standard.objects.filter(code="iso14001-2026").first()
    if found is None or found.replaces is None or found.replaces.code != "iso14001-2015":
        return None
    return found


def _calder(demo: _Demo) -> None:
    """A certificate to ISO 14001:2015 in transition, its audit planned with the surveillance."""
    cycle = demo.certify(
        "Calder Coatings",
        "17",
        ("iso14001-2015",),
        "Powder coating of fabricated steel parts",
        decided=demo.ago(300),
        personnel=45,
        complexity="medium",
    )
    new = _new_edition()
    if new is None:
        return
    manager = demo.p["manager"]
    record_transition_training(
        demo.org,
        actor=manager,
        person=demo.p["lead"],
        standard=new,
        completed_on=demo.ago(40),
        provider="Northbridge Academy",
        title="ISO 14001:2026 transition for auditors",
        hours=Decimal("7"),
    )
    options = transition_options(cycle)
    if options:
        plan_transition_audit(
            cycle,
            actor=manager,
            combine_with=options[0],
            reason="Transition to ISO 14001:2026 at the first surveillance.",
        )
