"""The top-management dashboard of a large organization: 2,000 people and ten years of records
(about 3,000 nonconformities, 5,000 risks, 2,000 documents, 200 active objectives with 12,000
measurements, 10,000 training records, ten audit programmes of 400 audits, ten management
reviews and yearly gap assessments) on one management system of ISO 9001, 14001 and 27001.
The page, the API and `dashboard_for` alone are timed (median ms) as its top management; the
queries of one call are reported beside those of the same call on an organization of the same
shape with ten people and a handful of each record (they must be equal: no query per row).

The issue sets 300 ms for the page. A run of the stage 1 rehearsal on the same system is timed
too (it writes its dated result each time). `run.py` adds these with `add(...)`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from benchmarks.people import seed_competence, seed_people

LIMIT_MS = 300
STANDARDS = ("iso9001-2015", "iso14001-2015", "iso27001-2022")
OPEN_NC = ["reported", "triaged", "contained", "cause_analysed", "action_planned", "implemented"]


@dataclass(frozen=True)
class Size:
    people: int
    sites: int
    requirements: int
    records_per_person: int
    nonconformities: int
    risks: int
    documents: int
    objectives: int  # active ones; a fifth as many more are closed
    programmes: int  # one a year, the last this year's
    audits_per_programme: int
    reviews: int  # held ones, one a year; and the next one planned
    assessments: tuple[int, ...]  # days before today each gap assessment was started


LARGE = Size(
    people=2000,
    sites=4,
    requirements=12,
    records_per_person=5,
    nonconformities=3000,
    risks=5000,
    documents=2000,
    objectives=200,
    programmes=10,
    audits_per_programme=40,
    reviews=10,
    assessments=(3285, 2190, 1095, 300, 60),
)
SMALL = Size(
    people=10,
    sites=1,
    requirements=4,
    records_per_person=2,
    nonconformities=8,
    risks=8,
    documents=6,
    objectives=3,
    programmes=1,
    audits_per_programme=4,
    reviews=1,
    assessments=(60,),
)

_ORGS: dict[str, dict[str, Any]] = {}


def _people(org, size: Size, rng: random.Random) -> dict[str, Any]:
    """Users, memberships, competence requirements and training records (people.py's)."""
    from django.utils import timezone

    from pdca.tenancy.models import Site

    today = timezone.localdate()
    sites = Site.objects.bulk_create(
        Site(organization=org, name=f"Site {n}", code=f"S{n}") for n in range(1, size.sites + 1)
    )
    users, roles = seed_people(
        org,
        size.people,
        sites,
        rng,
        roles=["system_manager", "top_management"],
        domain=f"{org.slug}.example",
    )
    _, _, records = seed_competence(
        org,
        users,
        sites,
        rng,
        today,
        requirements=size.requirements,
        per_person=size.records_per_person,
    )
    by_role: dict[str, list] = {}
    for user, role in zip(users, roles, strict=True):
        by_role.setdefault(role, []).append(user)
    return {
        "users": users,
        "manager": by_role["system_manager"][0],
        "top": by_role["top_management"][0],
        "owners": by_role.get("process_owner", users[:1]),
        "auditors": by_role.get("internal_auditor", users[:1]),
        "training_records": records,
    }


def _system(org, manager, size: Size, rng: random.Random, today: dt.date):
    """The management system (through the services) and its gap assessments, older ones
    closed, with statuses that progress from one to the next."""
    from pdca.assessments.models import GapAssessment, GapItem
    from pdca.assessments.services import create_assessment
    from pdca.standards.models import Standard
    from pdca.system.services import create_system

    system = create_system(
        org,
        name="Integrated management system",
        standards=list(Standard.objects.filter(code__in=STANDARDS).order_by("code")),
        owner=manager,
        actor=manager,
        status="operating",
        certification_target_date=today + dt.timedelta(days=200),
    )
    statuses = ["not_started", "planned", "partial", "implemented"]
    for n, days in enumerate(size.assessments):
        started = today - dt.timedelta(days=days)
        assessment = create_assessment(
            system, title=f"Gap assessment {started:%Y-%m}", started_on=started, actor=manager
        )
        progress = (n + 1) / len(size.assessments)  # the latest is the furthest along
        items = list(assessment.items.all())
        for item in items:
            done = rng.random() < progress
            item.status = rng.choice(statuses[2:] if done else statuses[:3])
            if rng.random() < 0.03:
                item.status = "not_applicable"
                item.justification = "Not relevant to the benchmark's activities."
            item.owner = manager
            item.target_date = started + dt.timedelta(days=rng.randint(30, 365))
        GapItem.objects.bulk_update(items, ["status", "owner", "target_date", "justification"])
        if n < len(size.assessments) - 1:
            GapAssessment.objects.filter(pk=assessment.pk).update(status="closed")
    return system


def _archived(people, moment: dt.datetime, archived: bool) -> dict[str, Any]:
    """The fields of an archived entry (who, when and why), or none."""
    if not archived:
        return {}
    return {
        "archived_at": moment,
        "archived_by": people["manager"],
        "archive_reason": "Withdrawn in the benchmark.",
    }


def _nonconformities(org, people, size: Size, rng: random.Random, now: dt.datetime) -> int:
    """Nonconformities reported over ten years, most closed, the open ones mostly recent (and
    one in a hundred, at least two, reported in the last four months and still open)."""
    from pdca.improvement.models import Nonconformity

    rows = []
    reported = []
    recent = max(2, size.nonconformities // 100)
    for i in range(size.nonconformities):
        span = 120 if i < recent else 3650
        created = now - dt.timedelta(days=rng.uniform(0, span))
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
        rows.append(
            Nonconformity(
                organization=org,
                reference=f"NC-{created:%Y}-{i:04d}",
                title=f"Nonconformity {i}",
                description="Found in the benchmark.",
                source=rng.choice(Nonconformity.Source.values),
                severity=rng.choice(["major", "minor", "minor", "minor", ""]),
                status=status,
                owner=rng.choice(people["owners"]),
                reported_by=rng.choice(people["users"]),
                due_date=(created + dt.timedelta(days=rng.choice([30, 60, 90]))).date(),
                closed_at=closed,
                closure_note="Closed after the check." if status == "closed" else "",
                **_archived(people, now - dt.timedelta(days=30), rng.random() < 0.01),
            )
        )
        reported.append(created)
    ncs = Nonconformity.objects.bulk_create(rows, batch_size=1000)
    # created_at is set on insert: the report dates are written afterwards.
    for nc, created in zip(ncs, reported, strict=True):
        nc.created_at = created
    Nonconformity.objects.bulk_update(ncs, ["created_at"], batch_size=500)
    return len(ncs)


def _risks(org, people, size: Size, rng: random.Random, now: dt.datetime) -> int:
    from pdca.risks.method.services import method_for
    from pdca.risks.models import Risk
    from pdca.risks.scoring import score_for

    method = method_for(org)
    kinds = ["risk"] * 10 + ["infosec"] * 5 + ["opportunity", "opportunity", "aspect", "hazard"]
    statuses = ["identified", "assessed", "assessed", "treating", "treated", "treated", "closed"]
    rows = []
    for i in range(size.risks):
        status = rng.choice(statuses)
        likelihood, impact = rng.randint(1, 5), rng.randint(1, 5)
        rated = status != "identified"
        residual_l = max(1, likelihood - rng.randint(0, 2)) if rated else None
        residual_i = max(1, impact - rng.randint(0, 1)) if rated else None
        rows.append(
            Risk(
                organization=org,
                kind=rng.choice(kinds),
                code=f"R-{i:05d}",
                title=f"Risk {i}",
                owner=rng.choice(people["owners"]),
                inherent_likelihood=likelihood,
                inherent_impact=impact,
                inherent_score=score_for(method, likelihood, impact),
                treatment="reduce" if rated else "",
                residual_likelihood=residual_l,
                residual_impact=residual_i,
                residual_score=score_for(method, residual_l, residual_i),
                status=status,
                review_date=(now + dt.timedelta(days=rng.randint(-200, 365))).date(),
                **_archived(people, now - dt.timedelta(days=60), rng.random() < 0.02),
            )
        )
    return len(Risk.objects.bulk_create(rows, batch_size=1000))


def _documents(org, people, size: Size, rng: random.Random, now: dt.datetime) -> int:
    """Documents with a published version each; the review is due a year after it took
    effect, from a year ago to a year ahead."""
    from pdca.documents.models import Document, DocumentVersion

    today = now.date()
    docs = []
    for i in range(size.documents):
        docs.append(
            Document(
                organization=org,
                code=f"DOC-{i:05d}",
                title=f"Procedure {i}",
                owner=rng.choice(people["owners"]),
                review_due=today + dt.timedelta(days=rng.randint(-365, 365)),
                obsolete=rng.random() < 0.04,
                **_archived(people, now - dt.timedelta(days=90), rng.random() < 0.01),
            )
        )
    docs = Document.objects.bulk_create(docs, batch_size=1000)
    versions = []
    for doc in docs:
        assert doc.review_due is not None
        effective = doc.review_due - dt.timedelta(days=365)
        moment = dt.datetime.combine(effective, dt.time(9), tzinfo=dt.UTC)
        content = f"# {doc.title}\n\nWork is planned, done, checked and improved."
        versions.append(
            DocumentVersion(
                organization=org,
                document=doc,
                number=1,
                status="published",
                content=content,
                effective_date=effective,
                author=doc.owner,
                submitted_at=moment,
                approved_by=people["top"],
                approved_at=moment,
                published_at=moment,
                content_sha256=hashlib.sha256(content.encode()).hexdigest(),
            )
        )
    DocumentVersion.objects.bulk_create(versions, batch_size=1000)
    return len(docs)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _objectives(org, people, size: Size, rng: random.Random, today: dt.date) -> int:
    """Active objectives started two to eight years ago, measured every month since, and a
    fifth as many closed ones measured over their own past period."""
    from pdca.system.models import Measurement, Objective

    objectives = []
    for i in range(size.objectives + size.objectives // 5 + 1):
        active = i < size.objectives
        if active:
            start = _add_months(today, -rng.randint(24, 96))
            due = _add_months(today, rng.randint(1, 24))
        else:
            start = _add_months(today, -rng.randint(72, 120))
            due = _add_months(start, rng.randint(12, 36))
        at_most = rng.random() < 0.3
        objectives.append(
            Objective(
                organization=org,
                title=f"Objective {i:03d}",
                owner=rng.choice(people["owners"]),
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
        skill = rng.uniform(0.3, 1.2)  # how fast it moves towards its target
        end = min(objective.due_date, today)
        months = 0
        day = objective.start_date
        while day <= end:
            share = min(1.0, skill * months / 48)
            base, goal = float(objective.baseline or 0), float(objective.target)
            value = base + (goal - base) * share + rng.uniform(-3, 3)
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
            day = _add_months(objective.start_date, months)
    Measurement.objects.bulk_create(measurements, batch_size=2000)
    return len(measurements)


def _audits(org, system, people, size: Size, rng: random.Random, today: dt.date) -> int:
    """One audit programme a year up to this year's, its internal audits done as the year
    went, and a few certification audits a year, the next ones still to come."""
    from pdca.audits.models import Audit, AuditProgramme
    from pdca.standards.models import Standard

    standards = list(Standard.objects.filter(code__in=STANDARDS))
    first_year = today.year - size.programmes + 1
    programmes = AuditProgramme.objects.bulk_create(
        AuditProgramme(
            organization=org,
            title=f"Audit programme {year}",
            system=system,
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            objectives="Every process and requirement audited once a year.",
            manager=people["manager"],
            status="approved" if year == today.year else "closed",
        )
        for year in range(first_year, today.year + 1)
    )
    certification = ["surveillance", "surveillance", "recertification", "special"]
    audits = []
    for programme in programmes:
        year = programme.period_start.year
        n = size.audits_per_programme
        for k in range(n):
            kind = "internal" if k < n - len(certification) else certification[k % 4]
            start = dt.date(year, 1, 5) + dt.timedelta(days=int(k * 350 / n))
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
                    reference=f"{'IA' if kind == 'internal' else 'CA'}-{year}-{k:02d}",
                    title=f"{kind.title()} audit {k} of {year}",
                    audit_type=kind,
                    start_date=start,
                    end_date=end,
                    lead_auditor=rng.choice(people["auditors"]),
                    status=status,
                    **_archived(
                        people, dt.datetime(year, 12, 31, tzinfo=dt.UTC), rng.random() < 0.01
                    ),
                )
            )
    # Next year's surveillance, booked with the certification body outside any programme.
    audits.append(
        Audit(
            organization=org,
            reference=f"CA-{today.year + 1}-01",
            title="Surveillance audit of next year",
            audit_type="surveillance",
            start_date=dt.date(today.year + 1, 3, 2),
            end_date=dt.date(today.year + 1, 3, 4),
        )
    )
    audits = Audit.objects.bulk_create(audits, batch_size=1000)
    through = Audit.standards.through
    through.objects.bulk_create(
        through(audit_id=audit.pk, standard_id=standard.pk)
        for audit in audits
        for standard in rng.sample(standards, rng.randint(1, len(standards)))
    )
    return len(audits)


def _reviews(org, system, people, size: Size, today: dt.date) -> int:
    """A review held every twelve months (the latest eleven months ago, held; the others
    approved), the next one planned next month, and the plan of a review a year."""
    from pdca.reviews.models import ManagementReview, ReviewPlan
    from pdca.reviews.services import minutes_hash

    ReviewPlan.objects.create(organization=org, system=system, interval_months=12)
    previous = None
    for ago in range(size.reviews, 0, -1):
        day = _add_months(today, 1 - 12 * ago)
        held = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        latest = ago == 1
        title = f"Management review {day:%Y-%m}"
        minutes = {"title": title, "conclusions": "Suitable and effective."}
        previous = ManagementReview.objects.create(
            organization=org,
            system=system,
            title=title,
            meeting_date=held.date(),
            chair=people["top"],
            agenda="Inputs of clause 9.3.2.",
            conclusions="The system remains suitable, adequate and effective.",
            status="held" if latest else "approved",
            previous=previous,
            compiled_at=held - dt.timedelta(days=7),
            held_at=held,
            approved_at=None if latest else held + dt.timedelta(days=14),
            approved_by=None if latest else people["top"],
            minutes={} if latest else minutes,
            minutes_sha256="" if latest else minutes_hash(minutes),
        )
    following = _add_months(today, 1)
    ManagementReview.objects.create(
        organization=org,
        system=system,
        title=f"Management review {following:%Y-%m}",
        meeting_date=following,
        chair=people["top"],
        previous=previous,
    )
    return size.reviews + 1


def _organization(slug: str, size: Size) -> dict[str, Any]:
    """The organization of `size`, its system and ten years of records; built once."""
    if slug in _ORGS:
        return _ORGS[slug]
    from django.utils import timezone

    from pdca.standards.services import ensure_catalogs_loaded
    from pdca.tenancy.models import Organization

    ensure_catalogs_loaded()
    rng = random.Random(23)
    now = timezone.now()
    today = timezone.localdate()
    org = Organization.objects.create(name=f"Dashboard {slug}", slug=slug)
    people = _people(org, size, rng)
    system = _system(org, people["manager"], size, rng, today)
    counts = {
        "people": len(people["users"]),
        "training_records": people["training_records"],
        "nonconformities": _nonconformities(org, people, size, rng, now),
        "risks": _risks(org, people, size, rng, now),
        "documents": _documents(org, people, size, rng, now),
        "measurements": _objectives(org, people, size, rng, today),
        "audits": _audits(org, system, people, size, rng, today),
        "reviews": _reviews(org, system, people, size, today),
        "gap_assessments": len(size.assessments),
    }
    _ORGS[slug] = {
        "org": org,
        "system": system,
        "top": people["top"],
        "manager": people["manager"],
        "counts": counts,
    }
    return _ORGS[slug]


def _large() -> dict[str, Any]:
    return _organization("dashboard-large", LARGE)


def _small() -> dict[str, Any]:
    return _organization("dashboard-small", SMALL)


def _client(data: dict[str, Any]):
    """Top management's signed-in test client, working in the organization."""
    if "client" in data:
        return data["client"]
    from django.test import Client

    from pdca.core.testing.api_bundle import login
    from pdca.tenancy.middleware import SESSION_KEY

    client = Client()
    login(client, data["top"])
    session = client.session
    session[SESSION_KEY] = data["org"].pk
    session.save()
    data["client"] = client
    return client


def _queries(call: Callable[[], object]) -> int:
    """Queries of one call, after a first one (which reads what is kept between calls)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def _get(data: dict[str, Any], url: str) -> Callable[[], object]:
    client = _client(data)
    params = {"system": data["system"].pk}

    def call():
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return call


def _figures(value_ms: float, large: dict[str, Any], small_queries: int, **extra) -> dict:
    return {
        "value": value_ms,
        **extra,
        "queries_small": small_queries,
        "limit_ms": LIMIT_MS,
        "within_limit": value_ms < LIMIT_MS,
        **large["counts"],
    }


def add(benchmark: Callable, timed_with_queries: Callable, median_seconds: Callable) -> None:
    """Register the dashboard benchmarks with run.py's `benchmark` decorator."""

    def page_like(url: str) -> dict:
        large, small = _large(), _small()
        call = _get(large, url)
        queries = _queries(call)
        seconds = median_seconds(call, repeat=7)
        return _figures(
            round(seconds * 1000, 2),
            large,
            _queries(_get(small, url)),
            queries=queries,
            bytes=len(call().content),
        )

    @benchmark("page_dashboard_2000_people", "ms")
    def page_dashboard_bench() -> dict:
        return page_like("/dashboard/")

    @benchmark("api_dashboard_2000_people", "ms")
    def api_dashboard_bench() -> dict:
        return page_like("/api/v1/dashboard/")

    @benchmark("dashboard_figures_2000_people", "ms")
    def dashboard_figures_bench() -> dict:
        from pdca.reviews.dashboard.figures import dashboard_for, local_today

        large, small = _large(), _small()
        today = local_today()

        def of(data):
            return lambda: dashboard_for(data["system"], user=data["top"], today=today)

        of(large)()  # the user's roles are read once and kept: not a figure's query
        figures = timed_with_queries(of(large), repeat=7)
        return _figures(figures.pop("value"), large, _queries(of(small)), **figures)

    # The stage 1 rehearsal reads the same registers as the dashboard, at the same size.
    @benchmark("stage1_rehearsal_2000_people", "ms")
    def rehearsal_bench() -> dict:
        from pdca.engagements.rehearsal.services import run_rehearsal

        large, small = _large(), _small()

        def of(data):
            return lambda: run_rehearsal(data["system"], actor=data["top"])

        of(large)()
        figures = timed_with_queries(of(large), repeat=5)
        return _figures(figures.pop("value"), large, _queries(of(small)), **figures)

    # Moving the same system to ISO 9001:2026: the preview, and the move itself (rolled back, so
    # that each repetition moves the same data).
    @benchmark("transition_preview_2000_people", "ms")
    def transition_preview_bench() -> dict:
        from pdca.standards.models import Standard
        from pdca.system.transition.services import preview_transition

        large, small = _large(), _small()
        new = Standard.objects.get(code="iso9001-2026")

        def of(data):
            return lambda: preview_transition(data["system"], new, actor=data["manager"])

        moves = of(large)().total
        figures = timed_with_queries(of(large), repeat=5)
        return _figures(figures.pop("value"), large, _queries(of(small)), moves=moves, **figures)

    @benchmark("transition_move_2000_people", "ms")
    def transition_move_bench() -> dict:
        from django.db import transaction

        from pdca.standards.models import Standard
        from pdca.system.transition.services import transition_system

        large, small = _large(), _small()
        new = Standard.objects.get(code="iso9001-2026")

        def of(data):
            def call():
                with transaction.atomic():
                    transition_system(data["system"], new, actor=data["manager"])
                    transaction.set_rollback(True)

            return call

        figures = timed_with_queries(of(large), repeat=3)
        return _figures(figures.pop("value"), large, _queries(of(small)), **figures)
