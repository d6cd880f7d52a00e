"""Benchmarks: `make bench` writes the figures to benchmarks/results/latest.json.

Each benchmark sets up its data in a throwaway test database (SQLite unless DATABASE_URL says
otherwise), runs the operation several times, and reports the median.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_databases, setup_test_environment  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

#: PDCA_BENCH_RESULTS names another file (figures from PostgreSQL kept beside SQLite's).
RESULTS = Path(
    os.environ.get("PDCA_BENCH_RESULTS", Path(__file__).parent / "results" / "latest.json")
)
console = Console()
BENCHMARKS: list[tuple[str, str, Callable[[], dict]]] = []


def benchmark(name: str, unit: str):
    def register(fn):
        BENCHMARKS.append((name, unit, fn))
        return fn

    return register


def median_seconds(call: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _world():
    from pdca.tenancy.testing import make_personas

    return make_personas()


@benchmark("activity_append", "entries/s")
def activity_append() -> dict:
    from pdca.core.activity import record_activity
    from pdca.tenancy.models import Site

    personas = _world()
    site = Site.objects.create(organization=personas.org, name="Bench site")
    n = 500
    start = time.perf_counter()
    for i in range(n):
        record_activity(
            actor=personas.manager,
            action="update",
            obj=site,
            changes={"city": [str(i), str(i + 1)]},
        )
    elapsed = time.perf_counter() - start
    return {"value": round(n / elapsed, 1), "entries": n}


@benchmark("activity_verify", "entries/s")
def activity_verify() -> dict:
    from pdca.core.activity import verify_log
    from pdca.core.models import ActivityEntry

    entries = ActivityEntry.objects.count()
    seconds = median_seconds(verify_log, repeat=3)
    return {"value": round(entries / seconds, 1), "entries": entries}


@benchmark("api_sites_list_50", "ms")
def api_sites_list() -> dict:
    from pdca.core.testing.api_bundle import login
    from pdca.tenancy.models import Membership, Organization, Site

    org = Organization.objects.get(slug="org-a")
    Site.objects.bulk_create(
        [Site(organization=org, name=f"Bench {i}", city="Leeds") for i in range(50)]
    )
    client = Client()
    login(client, Membership.objects.filter(organization=org).first().user)
    return timed_with_queries(lambda: client.get("/api/v1/sites/?limit=50"))


@benchmark("page_home", "ms")
def page_home() -> dict:
    from pdca.core.roles import Role
    from pdca.core.testing.api_bundle import login
    from pdca.tenancy.models import Membership

    client = Client()
    login(client, Membership.objects.get(organization__slug="org-a", role=Role.SYSTEM_MANAGER).user)
    return timed_with_queries(lambda: client.get("/"))


#: Runs of a page or endpoint: enough for a 95th percentile that is not simply the slowest run.
TIMED_RUNS = int(os.environ.get("PDCA_BENCH_RUNS", "20"))


def timed_with_queries(call: Callable[[], object], repeat: int = 7) -> dict:
    """Median milliseconds of `call`, its 95th percentile and their ratio (a ratio far above
    1 means some runs pay for something else: a garbage collection, a cache filled), and the
    queries one call makes."""
    from pdca.core.testing import count_queries

    queries, _ = count_queries(call)
    call()  # warm
    times = []
    for _ in range(max(repeat, TIMED_RUNS)):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    return {
        "value": round(median, 2),
        "p95_ms": round(p95, 2),
        "p95_over_median": round(p95 / median, 2),
        "queries": queries,
    }


_GAP: dict = {}


def _all_standards_assessment():
    """A management system of all seven standards (every requirement and control) and an
    assessment of it with a realistic mix of statuses, owners and dates; built once."""
    if _GAP:
        return _GAP["assessment"], _GAP["manager"]
    import datetime as dt
    import random

    from pdca.assessments.models import GapItem
    from pdca.assessments.services import create_assessment
    from pdca.core.roles import Role
    from pdca.standards.models import Standard
    from pdca.standards.services import ensure_catalogs_loaded
    from pdca.system.services import create_system
    from pdca.tenancy.models import Membership, Organization

    ensure_catalogs_loaded()
    members = Membership.objects.filter(organization__slug="org-a").select_related("user")
    manager = next(m.user for m in members if m.role == Role.SYSTEM_MANAGER)
    system = create_system(
        Organization.objects.get(slug="org-a"),
        name="All seven standards",
        standards=list(Standard.objects.all()),
        owner=manager,
        actor=manager,
    )
    assessment = create_assessment(system, title="Benchmark", actor=manager)
    rng = random.Random(7)
    statuses = [s for s in GapItem.Status.values if s != GapItem.Status.NOT_APPLICABLE]
    users = [m.user for m in members]
    items = list(assessment.items.all())
    for item in items:
        item.status = rng.choice(statuses)
        item.owner = rng.choice(users)
        item.target_date = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))
        item.notes = "Benchmark note " * rng.randrange(4)
        item.evidence = "DOC-001\nhttps://intranet.example/evidence" if rng.random() < 0.5 else ""
    GapItem.objects.bulk_update(items, ["status", "owner", "target_date", "notes", "evidence"])
    _GAP.update(assessment=assessment, manager=manager, items=len(items))
    return assessment, manager


def _client_for(user) -> Client:
    from pdca.core.testing.api_bundle import login

    client = Client()
    login(client, user)
    return client


@benchmark("gap_assessment_page_7_standards", "ms")
def gap_assessment_page() -> dict:
    from django.urls import NoReverseMatch, reverse

    assessment, manager = _all_standards_assessment()
    try:
        url = reverse("assessments:assessment_detail", args=[assessment.pk])
    except NoReverseMatch:
        return {
            "value": None,
            "skipped": "the assessment page (assessments:assessment_detail) does not exist yet",
            "items": _GAP["items"],
        }
    client = _client_for(manager)
    response = client.get(url)
    if response.status_code != 200:
        return {"value": None, "skipped": f"GET {url} answered {response.status_code}"}
    return {**timed_with_queries(lambda: client.get(url), repeat=5), "items": _GAP["items"]}


@benchmark("api_gap_items_7_standards", "ms")
def api_gap_items() -> dict:
    assessment, manager = _all_standards_assessment()
    url = f"/api/v1/assessments/{assessment.pk}/items/?limit=500"
    client = _client_for(manager)
    response = client.get(url)
    if response.status_code != 200:
        return {"value": None, "skipped": f"GET {url} answered {response.status_code}"}
    rows = len(response.json()["items"])
    return {**timed_with_queries(lambda: client.get(url)), "items": rows}


@benchmark("gap_readiness_7_standards", "ms")
def gap_readiness() -> dict:
    from pdca.assessments.readiness import compute_readiness
    from pdca.system.services import active_standards

    assessment, _ = _all_standards_assessment()
    standards = active_standards(assessment.system)
    figures = timed_with_queries(lambda: compute_readiness(assessment, standards))
    return {**figures, "items": _GAP["items"]}


_WORKSPACE: dict = {}


def _workspace():
    """Org A's workspace at the size of a mid-sized company: 40 processes with hand-overs,
    500 rated risks linked to them, and a 27001 SoA; built once."""
    if _WORKSPACE:
        return _WORKSPACE
    import random

    from pdca.core.roles import Role
    from pdca.risks.models import Risk
    from pdca.risks.risk_rules import apply_scores
    from pdca.risks.soa.services import create_soa
    from pdca.standards.models import Standard
    from pdca.standards.services import ensure_catalogs_loaded
    from pdca.system.models import Process
    from pdca.tenancy.models import Membership, Organization

    ensure_catalogs_loaded()
    org = Organization.objects.get(slug="org-a")
    manager = Membership.objects.get(organization=org, role=Role.SYSTEM_MANAGER).user
    rng = random.Random(5)
    categories = ["management"] * 6 + ["core"] * 22 + ["support"] * 12
    processes = Process.objects.bulk_create(
        Process(
            organization=org,
            code=f"P-{i:02d}",
            name=f"Process number {i}",
            category=c,
            owner=manager,
        )
        for i, c in enumerate(categories, start=1)
    )
    for process in processes:
        targets = rng.sample(processes, 2)
        process.feeds.set([t for t in targets if t.pk != process.pk])
    risks = []
    for i in range(500):
        risk = Risk(
            organization=org,
            code=f"R-{i:04d}",
            title=f"Benchmark risk {i}",
            owner=manager,
            inherent_likelihood=rng.randint(1, 5),
            inherent_impact=(impact := rng.randint(1, 5)),
            residual_likelihood=1,
            residual_impact=impact,
        )
        apply_scores(risk)
        risks.append(risk)
    risks = Risk.objects.bulk_create(risks)
    through = Risk.processes.through
    through.objects.bulk_create(
        through(risk_id=r.pk, process_id=rng.choice(processes).pk) for r in risks
    )
    soa = create_soa(org, Standard.objects.get(code="iso27001-2022"), actor=manager)
    _WORKSPACE.update(manager=manager, soa=soa, org=org)
    return _WORKSPACE


@benchmark("risk_list_page_500_risks", "ms")
def risk_list_page() -> dict:
    data = _workspace()
    client = _client_for(data["manager"])
    return {**timed_with_queries(lambda: client.get("/risks/"), repeat=5), "rows_per_page": 50}


@benchmark("api_risks_500", "ms")
def api_risks() -> dict:
    data = _workspace()
    client = _client_for(data["manager"])
    url = "/api/v1/risks/?limit=500"
    return {**timed_with_queries(lambda: client.get(url), repeat=5), "items": 500}


@benchmark("risk_heatmap_page_500_risks", "ms")
def heatmap_page() -> dict:
    data = _workspace()
    client = _client_for(data["manager"])
    return timed_with_queries(lambda: client.get("/risks/heatmap/"), repeat=5)


@benchmark("process_map_page_40_processes", "ms")
def process_map_page() -> dict:
    data = _workspace()
    client = _client_for(data["manager"])
    return timed_with_queries(lambda: client.get("/processes/map/"), repeat=5)


@benchmark("soa_page_93_controls", "ms")
def soa_page() -> dict:
    data = _workspace()
    client = _client_for(data["manager"])
    url = f"/soa/{data['soa'].pk}/"
    return timed_with_queries(lambda: client.get(url), repeat=5)


@benchmark("register_import_300_risks_dry_run", "ms")
def register_import() -> dict:
    from pdca.core.registers.spreadsheet import export_entries, import_entries
    from pdca.risks.models import Risk
    from pdca.risks.registers import RISKS

    data = _workspace()
    rows = Risk.objects.filter(organization=data["org"]).order_by("code")[:300]
    book = export_entries(RISKS, rows.prefetch_related("processes"), organization=data["org"])

    def run():
        return import_entries(RISKS, data["org"], book, actor=data["manager"], dry_run=True)

    seconds = median_seconds(run, repeat=3)
    return {"value": round(seconds * 1000, 2), "rows": 300}


_DOCS: dict = {}


def _documents():
    """300 documents with a published version of a few paragraphs each, in the organization of
    the seven-standard system (so coverage has every mandatory item to look at); built once."""
    if _DOCS:
        return _DOCS
    from django.utils import timezone

    from pdca.documents.models import Document, DocumentVersion

    assessment, manager = _all_standards_assessment()
    org = assessment.organization
    documents = Document.objects.bulk_create(
        Document(organization=org, code=f"QP-{i:03d}", title=f"Procedure {i}", owner=manager)
        for i in range(300)
    )
    text = "Work is planned, done, checked and improved. " * 40
    DocumentVersion.objects.bulk_create(
        DocumentVersion(
            organization=org,
            document=d,
            number=1,
            status="published",
            author=manager,
            content=f"# {d.title}\n\n{text} calibration {i}",
            published_at=timezone.now(),
        )
        for i, d in enumerate(documents)
    )
    _DOCS.update(org=org, manager=manager)
    return _DOCS


@benchmark("documents_list_page_300", "ms")
def documents_list_page() -> dict:
    data = _documents()
    client = _client_for(data["manager"])
    return timed_with_queries(lambda: client.get("/documents/"), repeat=5)


@benchmark("documents_search_300", "ms")
def documents_search() -> dict:
    data = _documents()
    client = _client_for(data["manager"])
    return timed_with_queries(lambda: client.get("/documents/search/?q=calibration"), repeat=5)


@benchmark("documented_information_coverage_7_standards", "ms")
def documents_coverage() -> dict:
    data = _documents()
    client = _client_for(data["manager"])
    return timed_with_queries(lambda: client.get("/documents/coverage/"), repeat=5)


_AUDIT: dict = {}


def _integrated_audit():
    """An integrated audit of ISO 9001, 14001 and 45001 in reporting: one checklist item per
    requirement in scope (inserted directly, at most 300) and 200 findings; built once."""
    if _AUDIT:
        return _AUDIT["audit"], _AUDIT["manager"]
    import datetime as dt

    from pdca.audits.models import Audit, ChecklistItem, Finding
    from pdca.core.roles import Role
    from pdca.standards.models import Requirement, Standard
    from pdca.standards.services import ensure_catalogs_loaded
    from pdca.tenancy.models import Membership, Organization

    ensure_catalogs_loaded()
    if not Organization.objects.filter(slug="org-a").exists():
        _world()
    org = Organization.objects.get(slug="org-a")
    manager = Membership.objects.get(organization=org, role=Role.SYSTEM_MANAGER).user
    standards = list(
        Standard.objects.filter(code__in=["iso9001-2015", "iso14001-2015", "iso45001-2018"])
    )
    audit = Audit.objects.create(
        organization=org,
        reference="BENCH-IMS",
        title="Integrated audit",
        audit_type=Audit.Type.INTERNAL,
        start_date=dt.date(2026, 3, 2),
        end_date=dt.date(2026, 3, 6),
        status=Audit.Status.REPORTING,
        summary="Benchmark audit.",
        conclusion="Benchmark conclusion.",
    )
    audit.standards.set(standards)
    requirements = list(
        Requirement.objects.filter(standard__in=standards, retired=False).order_by(
            "standard__code", "sort_key"
        )[:300]
    )
    results = list(ChecklistItem.Result.values)
    items = ChecklistItem.objects.bulk_create(
        ChecklistItem(
            organization=org,
            audit=audit,
            requirement=r,
            question=f"How is {r.number} {r.title} met?",
            sort_key=f"{r.sort_key}-{r.standard_id}",
            result=results[i % len(results)],
            notes="Checked on site." if i % 3 else "",
        )
        for i, r in enumerate(requirements)
    )
    Covers = ChecklistItem.covers.through
    Covers.objects.bulk_create(
        Covers(checklistitem_id=item.pk, requirement_id=item.requirement_id) for item in items
    )
    grades = Finding.Grade.values
    findings = Finding.objects.bulk_create(
        Finding(
            organization=org,
            audit=audit,
            number=n + 1,
            grade=grades[n % len(grades)],
            title=f"Finding {n + 1}",
            requirement_statement="The requirement, in our words.",
            evidence=f"Record R-{n:04d} sampled; interview with the supervisor.",
            statement="What was found against the requirement.",
            checklist_item=items[n % len(items)],
        )
        for n in range(200)
    )
    Links = Finding.requirements.through
    Links.objects.bulk_create(
        Links(finding_id=f.pk, requirement_id=requirements[i % len(requirements)].pk)
        for i, f in enumerate(findings)
    )
    _AUDIT.update(audit=audit, manager=manager, items=len(items), findings=len(findings))
    return audit, manager


@benchmark("audit_checklist_page_3_standards", "ms")
def audit_checklist_page() -> dict:
    audit, manager = _integrated_audit()
    url = f"/audits/{audit.pk}/checklist/"
    client = _client_for(manager)
    response = client.get(url)
    if response.status_code != 200:
        return {"value": None, "skipped": f"GET {url} answered {response.status_code}"}
    return {
        **timed_with_queries(lambda: client.get(url), repeat=5),
        "items": _AUDIT["items"],
        "findings": _AUDIT["findings"],
    }


@benchmark("audit_report_pdf_200_findings", "ms")
def audit_report_pdf() -> dict:
    from pdca.audits.report.rendering import render_pdf, report_content
    from pdca.core.testing import count_queries

    audit, _ = _integrated_audit()
    queries, content = count_queries(lambda: report_content(audit))
    seconds = median_seconds(lambda: render_pdf(report_content(audit)), repeat=3)
    return {
        "value": round(seconds * 1000, 2),
        "queries": queries,
        "findings": len(content["findings"]),
        "pdf_bytes": len(render_pdf(content)),
    }


_CAPA: dict = {}


def _capa():
    """1,000 nonconformities over two years in every state, spread over 10 processes and 20
    requirements, with 2 actions each and a check on the closed ones; inserted directly, once."""
    if _CAPA:
        return _CAPA["manager"]
    import datetime as dt
    import random

    from django.utils import timezone

    from pdca.core.roles import Role
    from pdca.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
    from pdca.standards.models import Requirement
    from pdca.standards.services import ensure_catalogs_loaded
    from pdca.system.models import Process
    from pdca.tenancy.models import Membership, Organization

    ensure_catalogs_loaded()
    if not Organization.objects.filter(slug="org-a").exists():
        _world()
    org = Organization.objects.get(slug="org-a")
    manager = Membership.objects.get(organization=org, role=Role.SYSTEM_MANAGER).user
    owner = Membership.objects.get(organization=org, role=Role.PROCESS_OWNER).user
    rng = random.Random(8)
    processes = [
        Process.objects.create(organization=org, code=f"CAPA-{i}", name=f"Process {i}")
        for i in range(10)
    ]
    requirements = list(
        Requirement.objects.filter(standard__code="iso9001-2015", kind="clause")[:20]
    )
    now = timezone.now()
    states = list(Nonconformity.Status.values)
    rows = []
    for i in range(1000):
        status = rng.choice(states)
        created = now - dt.timedelta(days=rng.randint(0, 730))
        closed = created + dt.timedelta(days=rng.randint(5, 200)) if status == "closed" else None
        rows.append(
            Nonconformity(
                organization=org,
                reference=f"NC-B{i:04d}",
                title=f"Benchmark nonconformity {i}",
                description="Found in the benchmark.",
                source=rng.choice(Nonconformity.Source.values),
                severity=rng.choice(["major", "minor"]),
                status=status,
                process=rng.choice(processes),
                owner=owner,
                due_date=(created + dt.timedelta(days=90)).date(),
                closed_at=closed,
            )
        )
    ncs = Nonconformity.objects.bulk_create(rows)
    Through = Nonconformity.requirements.through
    Through.objects.bulk_create(
        Through(nonconformity_id=nc.pk, requirement_id=rng.choice(requirements).pk) for nc in ncs
    )
    for nc in ncs:
        Nonconformity.objects.filter(pk=nc.pk).update(
            created_at=now - dt.timedelta(days=rng.randint(0, 730))
        )
    CorrectiveAction.objects.bulk_create(
        CorrectiveAction(
            organization=org,
            nonconformity=nc,
            title=f"Action {n} of {nc.reference}",
            owner=owner,
            due_date=nc.due_date,
        )
        for nc in ncs
        for n in range(2)
    )
    EffectivenessCheck.objects.bulk_create(
        EffectivenessCheck(
            organization=org,
            nonconformity=nc,
            checked_by=manager,
            checked_at=now,
            effective=rng.random() < 0.8,
            notes="Checked.",
        )
        for nc in ncs
        if nc.status == "closed"
    )
    _CAPA.update(manager=manager, owner=owner, count=len(ncs))
    return manager


@benchmark("nonconformity_list_page_1000", "ms")
def nonconformity_list_page() -> dict:
    manager = _capa()
    client = _client_for(manager)
    return {**timed_with_queries(lambda: client.get("/nonconformities/"), repeat=5), "rows": 1000}


@benchmark("capa_analytics_page_1000", "ms")
def capa_analytics_page() -> dict:
    manager = _capa()
    client = _client_for(manager)
    url = "/nonconformities/analytics/"
    response = client.get(url)
    if response.status_code != 200:
        return {"value": None, "skipped": f"GET {url} answered {response.status_code}"}
    return {**timed_with_queries(lambda: client.get(url), repeat=5), "rows": 1000}


@benchmark("capa_analytics_xlsx_1000", "ms")
def capa_analytics_export() -> dict:
    manager = _capa()
    client = _client_for(manager)
    url = "/nonconformities/analytics/export.xlsx"
    return {**timed_with_queries(lambda: client.get(url), repeat=3), "rows": 1000}


@benchmark("capa_tasks_page_2000_actions", "ms")
def capa_tasks_page() -> dict:
    _capa()
    client = _client_for(_CAPA["owner"])
    url = "/nonconformities/tasks/"
    response = client.get(url)
    if response.status_code != 200:
        return {"value": None, "skipped": f"GET {url} answered {response.status_code}"}
    return {**timed_with_queries(lambda: client.get(url), repeat=5), "actions": 2000}


# Request time of the gap report, a 300-row import and issuing an audit report, before and
# after the task queue.
from benchmarks import jobs as _job_benchmarks  # noqa: E402

_job_benchmarks.add(benchmark, _all_standards_assessment, _client_for, _integrated_audit)

# The competence matrix of 2,000 people, computed and written as XLSX.
from benchmarks import people as _people_benchmarks  # noqa: E402

_people_benchmarks.add(benchmark, timed_with_queries, median_seconds)

# A certification body of 1,000 clients: calendar, client list, certificate registers (p95).
from benchmarks import certification as _certification_benchmarks  # noqa: E402

_certification_benchmarks.add(benchmark, timed_with_queries, median_seconds)

# The top-management dashboard of 2,000 people and ten years of records (300 ms).
from benchmarks import dashboard as _dashboard_benchmarks  # noqa: E402

_dashboard_benchmarks.add(benchmark, timed_with_queries, median_seconds)


# The pages people use most over HTTP (gunicorn, one worker, SQLite), beside /healthz.
@benchmark("http_assessment_page_27001_over_healthz", "x healthz")
def http_floor() -> dict:
    from benchmarks.http_floor import measure

    figures = measure()
    page = figures["assessment_page_27001"]
    return {
        "value": page["over_healthz"],
        "p95_over_median": max(f["p95_over_median"] for f in figures.values()),
        "urls": figures,
    }


def _ratio_rows(results: dict) -> list[tuple[str, float, float | None, float]]:
    """(name, median ms, p95 ms, p95/median) of every benchmark that timed runs, the HTTP
    ones included."""
    rows = []
    for name, data in results.items():
        if data.get("p95_over_median") is None or data.get("value") is None:
            continue
        for url, figures in data.get("urls", {}).items():
            rows.append(
                (f"http {url}", figures["median_ms"], figures["p95_ms"], figures["p95_over_median"])
            )
        if "urls" not in data:
            rows.append((name, data["value"], data.get("p95_ms"), data["p95_over_median"]))
    return rows


def main() -> int:
    from pdca.core.runtime import settle_process

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    settle_process()  # as a serving process does (pdca/wsgi.py)
    results = {}
    # PDCA_BENCH_ONLY=regex runs some benchmarks and updates only their figures in the file.
    only = os.environ.get("PDCA_BENCH_ONLY", "")
    try:
        for name, unit, fn in BENCHMARKS:
            if only and not re.search(only, name):
                continue
            with console.status(f"{name}…"):
                results[name] = {"unit": unit, **fn()}
    finally:
        from django.test.utils import teardown_databases

        teardown_databases(old, verbosity=0)
    table = Table(title="pdca benchmarks")
    table.add_column("benchmark")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("queries", justify="right")
    for name, data in results.items():
        value = "skipped" if data["value"] is None else str(data["value"])
        table.add_row(name, value, data["unit"], str(data.get("queries", "")))
        if data.get("skipped"):
            console.print(f"[yellow]{name} skipped: {data['skipped']}[/yellow]")
    console.print(table)
    ratios = Table(title="95th percentile over median (limit 1.5)")
    for column in ("benchmark", "median ms", "p95 ms", "p95 / median"):
        ratios.add_column(column, justify="left" if column == "benchmark" else "right")
    for name, median, p95, ratio in _ratio_rows(results):
        mark = "" if ratio <= 1.5 else "[red]"
        ratios.add_row(name, str(median), str(p95 or ""), f"{mark}{ratio}")
    console.print(ratios)
    if "http_assessment_page_27001_over_healthz" in results:
        floor = results["http_assessment_page_27001_over_healthz"]
        console.print(f"assessment page over /healthz: {floor['value']}x (limit 8x)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if only and RESULTS.exists():
        results = {**json.loads(RESULTS.read_text()).get("results", {}), **results}
    RESULTS.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "database": connection.vendor,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    console.print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
