"""`pdca seed-scale`: a certification body and an organization at production scale.

The body (`scale-cb`) has 1,000 clients and fifteen years of their programmes: 15,000 audits
and about 150,000 findings, with reviews, decisions and certificates (built by
`certification.seed`). The organization (`scale-org`) has 2,000 people on four sites, their
training records, one integrated management system (ISO 9001, 14001, 27001), 5,000 documents
with their versions, 20,000 risks, ten years of nonconformities with their corrective actions,
ten internal audit programmes with their audits and findings, objectives measured monthly and
a management review a year. `--small` builds the same shapes, a hundredth of the size, as
`scale-cb-small` and `scale-org-small`, so that a page's queries can be compared at two sizes.

Rows are inserted with `bulk_create` in batches, inside one transaction per step; the draws
come from a seeded random generator, so two runs on the same day make the same data. The
activity log is bypassed on purpose: it records what people did, and nobody did this (the
management system alone is created through its service and has its log entry). The data is
for throwaway databases only, and PostgreSQL only: SQLite is refused.

Every seeded person signs in with the password `PASSWORD`; the accounts the benchmarks use are
`manager@<org slug>.example` (system manager), `top@<org slug>.example` (top management),
and `manager@<body slug>.example` (certification body manager).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from pdca.accounts.models import User
from pdca.audits.models import Audit, AuditTeamMember, Finding
from pdca.certification.seed import AUDITS_PER_CLIENT, seed_certification_body
from pdca.core.roles import Role
from pdca.documents.models import Document, DocumentVersion
from pdca.people.models import CompetenceRequirement, TrainingPath, TrainingRecord
from pdca.risks.method.services import method_for
from pdca.risks.models import Risk
from pdca.risks.scoring import score_for
from pdca.scale.history import audits, nonconformities, objectives_and_reviews
from pdca.scale.rows import STANDARDS, Advance, archived_fields, atomic, insert
from pdca.standards.models import Standard
from pdca.standards.services import ensure_catalogs_loaded
from pdca.system.services import create_system
from pdca.tenancy.models import Membership, Organization, Site

#: The password of every seeded account (throwaway databases only).
PASSWORD = "scale-password-1"
CB_SLUG = "scale-cb"
ORG_SLUG = "scale-org"
SMALL_SUFFIX = "-small"
TEAMS = ["Assembly", "Machining", "Warehouse", "Quality", "Maintenance", "Office", "IT", "Sales"]
ROLES = [Role.EMPLOYEE] * 12 + [Role.PROCESS_OWNER] * 2 + [Role.INTERNAL_AUDITOR]
#: The findings of the audit whose report the benchmarks render.
REPORT_FINDINGS = 500
REPORT_AUDIT = "SCALE-REPORT-500"


class SeedRefused(Exception):
    """The seed cannot run here (SQLite, or the organizations exist already)."""


@dataclass(frozen=True)
class Sizes:
    clients: int = 1000
    audits: int = 15000
    findings: int = 150000
    people: int = 2000
    documents: int = 5000
    risks: int = 20000
    years: int = 10
    nonconformities_per_year: int = 1000
    suffix: str = ""

    @property
    def cb_slug(self) -> str:
        return CB_SLUG + self.suffix

    @property
    def org_slug(self) -> str:
        return ORG_SLUG + self.suffix

    def check(self) -> None:
        if self.clients < 1 or self.people < 4 or self.years < 1:
            raise SeedRefused("Give at least 1 client, 4 people and 1 year.")
        if self.audits != self.clients * AUDITS_PER_CLIENT:
            raise SeedRefused(
                f"A client's programme is {AUDITS_PER_CLIENT} audits (five three-year cycles): "
                f"--audits must be {AUDITS_PER_CLIENT} × --clients "
                f"({self.clients * AUDITS_PER_CLIENT} for {self.clients} clients)."
            )

    @property
    def findings_per_audit(self) -> int:
        return max(1, round(self.findings / max(1, self.audits)))


LARGE = Sizes()
SMALL = Sizes(
    clients=10,
    audits=150,
    findings=1500,
    people=20,
    documents=50,
    risks=200,
    nonconformities_per_year=10,
    suffix=SMALL_SUFFIX,
)


def sizes_for(small: bool = False, **overrides: Any) -> Sizes:
    """The default sizes (or `--small`'s) with `overrides`; audits follow clients unless given."""
    base = SMALL if small else LARGE
    given = {k: v for k, v in overrides.items() if v is not None}
    if "clients" in given and "audits" not in given:
        given["audits"] = given["clients"] * AUDITS_PER_CLIENT
    if "audits" in given and "findings" not in given:
        given["findings"] = given["audits"] * (base.findings // base.audits)
    return replace(base, **given)


#: A step reports progress with (done, total).


@dataclass
class Step:
    name: str
    run: Callable[[Advance], dict[str, int]]


def check_database() -> None:
    if connection.vendor != "postgresql":
        raise SeedRefused(
            "seed-scale builds hundreds of thousands of rows for load tests and runs on "
            f"PostgreSQL only (this database is {connection.vendor}): set DATABASE_URL to a "
            "throwaway PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/pdca_scale."
        )


def existing(sizes: Sizes) -> list[str]:
    return list(
        Organization.objects.filter(slug__in=[sizes.cb_slug, sizes.org_slug]).values_list(
            "slug", flat=True
        )
    )


def plan(sizes: Sizes, *, today: dt.date | None = None) -> list[Step]:
    """The steps of the seed, in order; each returns the rows it made by kind."""
    sizes.check()
    check_database()
    state: dict[str, Any] = {"today": today or timezone.localdate(), "rng": random.Random(2026)}
    state["now"] = dt.datetime.combine(state["today"], dt.time(12), tzinfo=dt.UTC)
    return [
        Step("standards catalogs", lambda advance: _catalogs(advance)),
        Step(
            f"certification body: {sizes.clients:,} clients",
            lambda advance: _body(sizes, state, advance),
        ),
        Step(f"organization: {sizes.people:,} people", lambda a: _people(sizes, state, a)),
        Step("training records", lambda a: _training(state, a)),
        Step("management system", lambda a: _system(state, a)),
        Step(f"{sizes.documents:,} documents", lambda a: _documents(sizes, state, a)),
        Step(f"{sizes.risks:,} risks", lambda a: _risks(sizes, state, a)),
        Step(
            f"{sizes.years} years of nonconformities",
            lambda a: nonconformities(sizes, state, a),
        ),
        Step("internal audits", lambda a: audits(sizes, state, a)),
        Step("objectives and reviews", lambda a: objectives_and_reviews(sizes, state, a)),
        Step("planner statistics (ANALYZE)", lambda a: _analyze(a)),
    ]


def _catalogs(advance: Advance) -> dict[str, int]:
    advance(0, 1)
    ensure_catalogs_loaded()
    advance(1, 1)
    return {"standards": Standard.objects.count()}


def _named_user(email: str, name: str) -> User:
    return User.objects.create(email=email, full_name=name, password=make_password(PASSWORD))


def _body(sizes: Sizes, state: dict[str, Any], advance: Advance) -> dict[str, int]:
    with atomic():
        result = seed_certification_body(
            sizes.cb_slug,
            clients=sizes.clients,
            today=state["today"],
            progress=lambda done: advance(done, sizes.clients + 1),
            findings_per_audit=sizes.findings_per_audit,
        )
        body = result.organization
        manager = _named_user(f"manager@{body.slug}.example", "Certification Manager")
        decider = _named_user(f"decider@{body.slug}.example", "Decision Maker")
        Membership.objects.create(organization=body, user=manager, role=Role.CB_MANAGER)
        Membership.objects.create(
            organization=body, user=decider, role=Role.CERTIFICATION_DECISION_MAKER
        )
        # One stage 2 audit with a long report: the benchmarks render it as PDF in a worker.
        lead = (
            Membership.objects.filter(organization=body, role=Role.LEAD_AUDITOR)
            .select_related("user")
            .first()
        )
        assert lead is not None
        start = state["today"] - dt.timedelta(days=3)
        audit = Audit.objects.create(
            organization=body,
            reference=REPORT_AUDIT,
            title="Stage 2 audit with 500 findings",
            audit_type="stage2",
            start_date=start,
            end_date=start + dt.timedelta(days=2),
            lead_auditor=lead.user,
            status=Audit.Status.IN_PROGRESS,
            scope="Design, manufacture and service of everything the client makes.",
        )
        audit.standards.set(Standard.objects.filter(code="iso9001-2015"))
        AuditTeamMember.objects.create(organization=body, audit=audit, user=lead.user, role="lead")
        AuditTeamMember.objects.create(organization=body, audit=audit, user=manager, role="auditor")
        grades = ["major"] + ["minor"] * 3 + ["observation"] * 3 + ["ofi"] * 2 + ["strength"]
        insert(
            Finding,
            [
                Finding(
                    organization=body,
                    audit=audit,
                    number=n,
                    grade=grades[n % len(grades)],
                    title=f"Finding {n} of the long report",
                    evidence="Records sampled on the day: work orders, calibration records.",
                    statement="What was found against the requirement, in two sentences. "
                    "The sample showed the lapse more than once.",
                )
                for n in range(1, REPORT_FINDINGS + 1)
            ],
        )
        advance(sizes.clients + 1, sizes.clients + 1)
    state["body"] = body
    return {
        "clients": result.clients,
        "audits": result.audits + 1,
        "findings": result.findings + REPORT_FINDINGS,
        "certificates": result.certificates,
    }


def _people(sizes: Sizes, state: dict[str, Any], advance: Advance) -> dict[str, int]:
    rng = state["rng"]
    with atomic():
        org = Organization.objects.create(
            name=f"Scale Manufacturing ({sizes.org_slug})", slug=sizes.org_slug
        )
        sites = Site.objects.bulk_create(
            Site(organization=org, name=f"Site {n}", code=f"S{n}", city="Leeds")
            for n in range(1, 5)
        )
        password = make_password(PASSWORD)
        named = [
            ("manager", "System Manager", Role.SYSTEM_MANAGER),
            ("top", "Top Manager", Role.TOP_MANAGEMENT),
            ("consultant", "Consultant", Role.CONSULTANT),
        ]
        users = []
        roles = []
        for i in range(sizes.people):
            if i < len(named):
                local, full_name, role = named[i]
            else:
                local, full_name, role = f"person{i:05d}", f"Person {i:05d}", rng.choice(ROLES)
            users.append(
                User(email=f"{local}@{org.slug}.example", full_name=full_name, password=password)
            )
            roles.append(role)
        users = insert(User, users, lambda d, t: advance(d, 2 * t))
        memberships = [
            Membership(
                organization=org,
                user=user,
                role=role,
                team=rng.choice(TEAMS),
                site=rng.choice(sites),
                job_title=rng.choice(["Operator", "Technician", "Supervisor", "Engineer"]),
            )
            for user, role in zip(users, roles, strict=True)
        ]
        insert(Membership, memberships, lambda d, t: advance(t + d, 2 * t))
    by_role: dict[str, list[User]] = {}
    for user, role in zip(users, roles, strict=True):
        by_role.setdefault(role, []).append(user)
    state.update(
        org=org,
        sites=sites,
        users=users,
        manager=by_role[Role.SYSTEM_MANAGER][0],
        top=by_role[Role.TOP_MANAGEMENT][0],
        owners=by_role.get(Role.PROCESS_OWNER, users[:1]),
        auditors=by_role.get(Role.INTERNAL_AUDITOR, users[:1]),
    )
    return {"people": len(users), "sites": len(sites)}


def _training(state: dict[str, Any], advance: Advance) -> dict[str, int]:
    """Five training paths, twelve competence requirements (everyone, a role, a team, a site,
    a position) and five training records a person over the last four years."""
    rng, org, today, sites = state["rng"], state["org"], state["today"], state["sites"]
    with atomic():
        paths = TrainingPath.objects.bulk_create(
            TrainingPath(organization=org, code=f"path-{n}", title=f"Path {n}", validity_months=24)
            for n in range(1, 6)
        )
        audiences: list[dict[str, Any]] = [
            {},
            {},
            {"role": "internal_auditor"},
            {"role": "process_owner"},
            {"team": "Warehouse"},
            {"team": "Machining"},
            {"team": "Maintenance"},
            {"site": sites[0]},
            {"site": sites[1]},
            {"position": "Supervisor"},
            {"team": "IT"},
            {"role": "process_owner"},
        ]
        requirements = CompetenceRequirement.objects.bulk_create(
            CompetenceRequirement(
                organization=org,
                code=f"CR-{n:02d}",
                title=f"Requirement {n}",
                evaluation=(evaluation := ["path_passed", "qualification", "assessed"][n % 3]),
                path=paths[n % 5] if evaluation == "path_passed" else None,
                validity_months=36 if n % 3 == 0 else None,
                **audience,
            )
            for n, audience in enumerate(audiences, start=1)
        )
        records = []
        for user in state["users"]:
            for requirement in rng.sample(requirements, 5):
                completed = today - dt.timedelta(days=rng.randint(10, 1460))
                records.append(
                    TrainingRecord(
                        organization=org,
                        person=user,
                        kind="training",
                        title=f"Evidence of {requirement.code}",
                        requirement=None if requirement.path_id else requirement,
                        path=requirement.path,
                        started_on=completed - dt.timedelta(days=rng.randint(1, 30)),
                        completed_on=completed,
                        result=rng.choice(["passed"] * 8 + ["attended", "failed"]),
                        expires_on=completed + dt.timedelta(days=730),
                    )
                )
        insert(TrainingRecord, records, advance)
    return {"training_records": len(records), "competence_requirements": len(requirements)}


def _system(state: dict[str, Any], advance: Advance) -> dict[str, int]:
    advance(0, 1)
    with atomic():
        state["system"] = create_system(
            state["org"],
            name="Integrated management system",
            standards=list(Standard.objects.filter(code__in=STANDARDS).order_by("code")),
            sites=state["sites"],
            owner=state["manager"],
            actor=state["manager"],
            status="operating",
        )
    advance(1, 1)
    return {"systems": 1}


def _documents(sizes: Sizes, state: dict[str, Any], advance: Advance) -> dict[str, int]:
    """Documents with one to three versions: the latest published (a few in review), the
    earlier ones superseded; reviews due from a year ago to a year ahead."""
    rng, org, now = state["rng"], state["org"], state["now"]
    today = state["today"]
    total = sizes.documents * 2
    with atomic():
        docs = insert(
            Document,
            [
                Document(
                    organization=org,
                    code=f"DOC-{i:05d}",
                    title=f"{rng.choice(['Procedure', 'Work instruction', 'Policy', 'Form'])} {i}",
                    owner=rng.choice(state["owners"]),
                    review_due=today + dt.timedelta(days=rng.randint(-365, 365)),
                    obsolete=rng.random() < 0.04,
                    **archived_fields(state, now - dt.timedelta(days=90), rng.random() < 0.01),
                )
                for i in range(sizes.documents)
            ],
            advance=lambda d, t: advance(d, total),
        )
        versions = []
        for doc in docs:
            count = rng.choice([1, 1, 2, 3])
            effective = doc.review_due - dt.timedelta(days=365 * count)
            for number in range(1, count + 1):
                latest = number == count
                moment = dt.datetime.combine(effective, dt.time(9), tzinfo=dt.UTC)
                content = f"# {doc.title}\n\nRevision {number}: planned, done, checked, improved."
                in_review = latest and count > 1 and rng.random() < 0.05
                versions.append(
                    DocumentVersion(
                        organization=org,
                        document=doc,
                        number=number,
                        status="in_review"
                        if in_review
                        else "published"
                        if latest
                        else "superseded",
                        content=content,
                        change_summary="" if number == 1 else "Updated after the annual review.",
                        effective_date=None if in_review else effective,
                        author=doc.owner,
                        submitted_at=moment,
                        approved_by=None if in_review else state["top"],
                        approved_at=None if in_review else moment,
                        published_at=None if in_review else moment,
                        content_sha256=hashlib.sha256(content.encode()).hexdigest(),
                    )
                )
                effective += dt.timedelta(days=365)
        insert(
            DocumentVersion,
            versions,
            lambda d, t: advance(sizes.documents + d * sizes.documents // t, total),
        )
    return {"documents": len(docs), "document_versions": len(versions)}


#: What each variant of risk needs besides the common fields (risks.risk_rules).
VARIANTS: dict[str, dict[str, Any]] = {
    "aspect": {
        "activity": "Painting line",
        "condition": "normal",
        "environmental_impact": "Solvent emissions to air",
    },
    "hazard": {"activity": "Forklift loading", "hazard_type": "mechanical", "exposed": "Drivers"},
    "infosec": {
        "asset": "Customer database",
        "threat": "Ransomware",
        "vulnerability": "Unpatched server",
        "confidentiality": True,
        "availability": True,
    },
}


def _risks(sizes: Sizes, state: dict[str, Any], advance: Advance) -> dict[str, int]:
    rng, org, now = state["rng"], state["org"], state["now"]
    method = method_for(org)
    kinds = ["risk"] * 10 + ["infosec"] * 5 + ["opportunity", "opportunity", "aspect", "hazard"]
    statuses = ["identified", "assessed", "assessed", "treating", "treated", "treated", "closed"]
    rows = []
    for i in range(sizes.risks):
        kind = rng.choice(kinds)
        status = rng.choice(statuses)
        likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
        rated = status != "identified"
        residual_l = max(1, likelihood - rng.randint(0, 2)) if rated else None
        residual_i = max(1, impact - rng.randint(0, 1)) if rated else None
        rows.append(
            Risk(
                organization=org,
                kind=kind,
                **VARIANTS.get(kind, {}),
                code=f"R-{i:05d}",
                title=f"Risk {i}: {rng.choice(['supplier', 'machine', 'data', 'people', 'site'])}",
                owner=rng.choice(state["owners"]),
                inherent_likelihood=likelihood,
                inherent_impact=impact,
                inherent_score=score_for(method, likelihood, impact),
                treatment="reduce" if rated else "",
                residual_likelihood=residual_l,
                residual_impact=residual_i,
                residual_score=score_for(method, residual_l, residual_i),
                status=status,
                review_date=(now + dt.timedelta(days=rng.randint(-200, 365))).date(),
                **archived_fields(state, now - dt.timedelta(days=60), rng.random() < 0.02),
            )
        )
    with atomic():
        insert(Risk, rows, advance)
    return {"risks": len(rows)}


def _analyze(advance: Advance) -> dict[str, int]:
    # Bulk inserts leave the planner's statistics empty until autovacuum comes by; a real
    # install has them.
    advance(0, 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    advance(1, 1)
    return {}
