"""`make bench-scale`: pdca at production scale, on PostgreSQL.

It uses the database `pdca_scale` (PDCA_SCALE_DATABASE_URL names another), creating, migrating
and seeding it with `pdca seed-scale` and `pdca seed-scale --small` when they are missing, and
measures:

- every list page and API list of the certification body (1,000 clients, 15,000 audits,
  150,000 findings) and of the organization (2,000 people, 5,000 documents, 20,000 risks, ten
  years of nonconformities): p50 and p95 over REPEAT requests as their manager, budget p95 <
  150 ms; home pages and dashboards < 300 ms. Requests go through Django's test client in this
  process (no network), signed in;
- the queries of each request, beside the same request on the small seed: they must not grow;
- the draft report of an audit with 500 findings as PDF, queued and run by a real `pdca worker`
  (scripts/cluster.py), from queueing to done: < 3 s;
- writes through the API (a finding, a risk update, a nonconformity) against four gunicorn
  processes and two workers, from a pool of HTTP clients sending round-robin: requests per
  second, p95, errors (must be 0).

The figures go to benchmarks/results/scale-postgresql.json, and a table with a pass/fail column
per budget is printed. PDCA_SCALE_REPEAT changes the repetitions (20), PDCA_SCALE_ONLY=regex
measures some pages only.
"""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("PDCA_SCALE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = os.environ.get(
    "PDCA_SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pdca_scale"
)
RESULTS = ROOT / "benchmarks" / "results" / "scale-postgresql.json"
REPEAT = int(os.environ.get("PDCA_SCALE_REPEAT", "20"))
ONLY = os.environ.get("PDCA_SCALE_ONLY", "")
#: Which parts run: pages, report, writes (all unless set).
PARTS = set(os.environ.get("PDCA_SCALE_PARTS", "pages,report,writes").split(","))
LIST_MS = 150
DASHBOARD_MS = 300
REPORT_S = 3.0
WRITES = int(os.environ.get("PDCA_SCALE_WRITES", "120"))
THREADS = 8

os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["PDCA_TASK_BACKEND"] = "database"  # the report is run by a real worker
os.environ["PDCA_VERIFY_RATE_LIMIT"] = "0"  # the public register: the page, not the limiter
sys.path[:0] = [str(ROOT), str(ROOT / "src")]

#: (name, url, who, budget ms): `who` is "cb" (the body's manager), "org" (the organization's
#: system manager) or "top" (its top management); {system} is the organization's system.
PAGES: list[tuple[str, str, str, int]] = [
    # The certification body.
    ("cb home", "/", "cb", DASHBOARD_MS),
    ("cb clients", "/cb/clients/", "cb", LIST_MS),
    ("cb client sites", "/cb/client-sites/", "cb", LIST_MS),
    ("cb applications", "/cb/applications/", "cb", LIST_MS),
    ("cb programme calendar", "/cb/programme/", "cb", LIST_MS),
    ("cb cycles", "/cb/cycles/", "cb", LIST_MS),
    ("cb auditors", "/cb/auditors/", "cb", LIST_MS),
    ("cb certificates", "/cb/certificates/", "cb", LIST_MS),
    ("cb audits", "/audits/", "cb", LIST_MS),
    ("cb audit findings (500)", "/audits/{report_audit}/findings/", "cb", LIST_MS),
    ("cb members", "/members/", "cb", LIST_MS),
    ("cb activity", "/activity/", "cb", LIST_MS),
    ("public register search", "/verify/?q=Client", "cb", LIST_MS),
    ("api cb clients", "/api/v1/cb/clients/", "cb", LIST_MS),
    ("api cb applications", "/api/v1/cb/applications/", "cb", LIST_MS),
    ("api cb programme", "/api/v1/cb/programme/", "cb", LIST_MS),
    ("api cb certificates", "/api/v1/cb/certificates/", "cb", LIST_MS),
    ("api cb audits", "/api/v1/audits/", "cb", LIST_MS),
    ("api cb findings", "/api/v1/findings/", "cb", LIST_MS),
    ("api cb team members", "/api/v1/audit-team-members/", "cb", LIST_MS),
    # The organization.
    ("org home", "/", "org", DASHBOARD_MS),
    ("org dashboard", "/dashboard/?system={system}", "top", DASHBOARD_MS),
    ("org risks", "/risks/", "org", LIST_MS),
    ("org risk heat map", "/risks/heatmap/", "org", LIST_MS),
    ("org risk actions", "/risks/actions/", "org", LIST_MS),
    ("org documents", "/documents/", "org", LIST_MS),
    ("org document review queue", "/documents/review/", "org", LIST_MS),
    ("org document search", "/documents/search/?q=Procedure", "org", LIST_MS),
    ("org evidence", "/evidence/", "org", LIST_MS),
    ("org nonconformities", "/nonconformities/", "org", LIST_MS),
    ("org capa tasks", "/nonconformities/tasks/", "org", LIST_MS),
    ("org capa analytics", "/nonconformities/analytics/", "org", DASHBOARD_MS),
    ("org opportunities", "/opportunities/", "org", LIST_MS),
    ("org audits", "/audits/", "org", LIST_MS),
    ("org audit programmes", "/audit-programmes/", "org", LIST_MS),
    ("org training records", "/training/training-records/", "org", LIST_MS),
    ("org competence requirements", "/training/competence-requirements/", "org", LIST_MS),
    ("org training home", "/training/", "org", DASHBOARD_MS),
    ("org competence matrix", "/training/matrix/", "org", DASHBOARD_MS),
    ("org objectives", "/objectives/", "org", LIST_MS),
    ("org measurements", "/objectives/measurements/", "org", LIST_MS),
    ("org management reviews", "/management-reviews/", "org", LIST_MS),
    ("org members", "/members/", "org", LIST_MS),
    ("org sites", "/sites/", "org", LIST_MS),
    ("org activity", "/activity/", "org", LIST_MS),
    ("org records", "/records/", "org", LIST_MS),
    ("org jobs", "/jobs/", "org", LIST_MS),
    ("api org risks", "/api/v1/risks/", "org", LIST_MS),
    ("api org documents", "/api/v1/documents/", "org", LIST_MS),
    ("api org document versions", "/api/v1/document-versions/", "org", LIST_MS),
    ("api org nonconformities", "/api/v1/nonconformities/", "org", LIST_MS),
    ("api org corrective actions", "/api/v1/corrective-actions/", "org", LIST_MS),
    ("api org capa tasks", "/api/v1/capa-tasks/", "org", LIST_MS),
    ("api org training records", "/api/v1/training-records/", "org", LIST_MS),
    ("api org memberships", "/api/v1/memberships/", "org", LIST_MS),
    ("api org audits", "/api/v1/audits/", "org", LIST_MS),
    ("api org findings", "/api/v1/findings/", "org", LIST_MS),
    ("api org measurements", "/api/v1/measurements/", "org", LIST_MS),
    ("api org activity", "/api/v1/activity/", "org", LIST_MS),
    ("api org dashboard", "/api/v1/dashboard/?system={system}", "top", DASHBOARD_MS),
]


def _pdca(*args: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pdca.settings"}
    env.setdefault("PDCA_SECRET_KEY", "bench-scale-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
    subprocess.run([sys.executable, "-m", "pdca.cli", *args], cwd=ROOT, env=env, check=True)


def ensure_database() -> None:
    """Create, migrate and seed `pdca_scale` when it is missing; reuse it otherwise."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as c:
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            print(f"Creating the database {name}…", flush=True)
            c.execute(f'CREATE DATABASE "{name}"')
    _pdca("manage", "migrate", "--no-input", "-v0")
    with psycopg.connect(DATABASE_URL.replace("postgres://", "postgresql://")) as c:
        slugs = {
            row[0]
            for row in c.execute(
                "SELECT slug FROM tenancy_organization WHERE slug LIKE 'scale-%%'"
            ).fetchall()
        }
    if not {"scale-cb", "scale-org"} <= slugs:
        _pdca("seed-scale", *(["--replace"] if slugs & {"scale-cb", "scale-org"} else []))
    if not {"scale-cb-small", "scale-org-small"} <= slugs:
        _pdca("seed-scale", "--small", "--replace")


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[max(0, round(share * len(ordered)) - 1)]


class World:
    """The signed-in test clients of the seeded people, and what the URLs need."""

    def __init__(self, suffix: str) -> None:
        from django.test import Client

        from pdca.accounts.models import User
        from pdca.audits.models import Audit
        from pdca.core.testing.api_bundle import login
        from pdca.scale.seed import CB_SLUG, ORG_SLUG, REPORT_AUDIT
        from pdca.system.models import ManagementSystem
        from pdca.tenancy.middleware import SESSION_KEY
        from pdca.tenancy.models import Organization

        self.cb = Organization.objects.get(slug=CB_SLUG + suffix)
        self.org = Organization.objects.get(slug=ORG_SLUG + suffix)
        self.users = {
            "cb": User.objects.get(email=f"manager@{self.cb.slug}.example"),
            "org": User.objects.get(email=f"manager@{self.org.slug}.example"),
            "top": User.objects.get(email=f"top@{self.org.slug}.example"),
        }
        self.clients = {}
        for who, user in self.users.items():
            client = Client()
            login(client, user)
            session = client.session
            session[SESSION_KEY] = (self.cb if who == "cb" else self.org).pk
            session.save()
            self.clients[who] = client
        system = ManagementSystem.objects.filter(organization=self.org).first()
        assert system is not None
        self.values = {
            "system": system.pk,
            "report_audit": Audit.objects.get(organization=self.cb, reference=REPORT_AUDIT).pk,
        }

    def get(self, who: str, url: str):
        response = self.clients[who].get(url.format(**self.values))
        assert response.status_code == 200, (url, response.status_code)
        return response


def queries_of(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def measure_pages(large: World, small: World) -> dict[str, dict[str, Any]]:
    from rich.console import Console
    from rich.progress import Progress

    results = {}
    pages = [p for p in PAGES if not ONLY or re.search(ONLY, p[0])]
    with Progress(console=Console(stderr=True)) as progress:
        task = progress.add_task("pages", total=len(pages))
        for name, url, who, budget in pages:
            progress.update(task, description=name)
            try:
                large.get(who, url)  # the first request reads what is kept between requests
                small.get(who, url)
            except AssertionError as exc:
                results[name] = {"url": url, "error": str(exc), "budget_ms": budget}
                progress.advance(task)
                continue
            queries = queries_of(lambda: large.get(who, url))  # noqa: B023
            small_queries = queries_of(lambda: small.get(who, url))  # noqa: B023
            times = []
            for _ in range(REPEAT):
                start = time.perf_counter()
                response = large.get(who, url)
                times.append((time.perf_counter() - start) * 1000)
            p95 = percentile(times, 0.95)
            results[name] = {
                "url": url,
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
                "budget_ms": budget,
                "queries": queries,
                "queries_small": small_queries,
                "bytes": len(response.content),
                "pass": p95 < budget and queries <= small_queries,
            }
            row = results[name]
            progress.console.print(
                f"{name}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
                f"{queries} queries ({small_queries} small)"
            )
            progress.advance(task)
    return results


def _cluster_module():
    spec = importlib.util.spec_from_file_location("pdca_cluster", ROOT / "scripts" / "cluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def measure_report(large: World) -> dict[str, Any]:
    """The 500-finding draft report, queued here and run by a worker of the cluster."""
    from pdca.audits.models import Audit
    from pdca.audits.report.jobs import queue_draft_pdf
    from pdca.core.jobs.models import Job

    audit = Audit.objects.get(pk=large.values["report_audit"])
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        job = queue_draft_pdf(audit, actor=large.users["cb"])
        while True:
            status = Job.objects.filter(pk=job.pk).values_list("status", flat=True).get()
            if status in (Job.Status.SUCCEEDED, Job.Status.FAILED):
                break
            if time.perf_counter() - start > 120:
                raise RuntimeError("the report job did not finish within two minutes")
            time.sleep(0.02)
        assert status == Job.Status.SUCCEEDED, Job.objects.get(pk=job.pk).error
        seconds.append(time.perf_counter() - start)
    worst = max(seconds)
    return {
        "findings": audit.findings.count(),
        "seconds": [round(s, 2) for s in seconds],
        "median_s": round(statistics.median(seconds), 2),
        "max_s": round(worst, 2),
        "budget_s": REPORT_S,
        "pass": worst < REPORT_S,
    }


def _http(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def measure_writes(large: World, urls: list[str]) -> dict[str, dict[str, Any]]:
    """Creating findings, updating risks and recording nonconformities through the API."""
    from pdca.accounts.services import create_api_token
    from pdca.audits.models import Audit
    from pdca.risks.models import Risk

    manager = large.users["org"]
    _, token = create_api_token(manager, name="bench-scale", expires_in_days=1, actor=manager)
    audit = (
        Audit.objects.filter(organization=large.org, status="in_progress").first()
        or Audit.objects.filter(organization=large.org, status__in=["planned", "prepared"]).last()
    )
    assert audit is not None
    risks = list(
        Risk.objects.filter(organization=large.org, archived_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:WRITES]
    )
    stamp = int(time.time())
    kinds = {
        "api create finding": lambda n: (
            "POST",
            "/api/v1/findings/",
            {
                "audit": audit.pk,
                "grade": "observation",
                "title": f"Bench finding {stamp}-{n}",
                "statement": "Seen during the load test.",
                "evidence": "The load test.",
            },
        ),
        "api update risk": lambda n: (
            "PATCH",
            f"/api/v1/risks/{risks[n % len(risks)]}/",
            {"title": f"Risk reviewed {stamp}-{n}"},
        ),
        "api record nonconformity": lambda n: (
            "POST",
            "/api/v1/nonconformities/",
            {
                "organization": large.org.slug,
                "title": f"Bench nonconformity {stamp}-{n}",
                "description": "Recorded during the load test.",
                "source": "employee",
            },
        ),
    }
    results = {}
    for name, make in kinds.items():
        lock = threading.Lock()
        errors: list[str] = []
        times: list[float] = []

        def send(n: int, make=make, lock=lock, errors=errors, times=times) -> None:
            method, path, body = make(n)
            start = time.perf_counter()
            try:
                status, content = _http(method, urls[n % len(urls)] + path, token, body)
            except OSError as exc:
                status, content = 0, str(exc).encode()
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                times.append(elapsed)
                if status not in (200, 201):
                    errors.append(f"{status} {content[:300]!r}")

        start = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(send, range(WRITES)))
        wall = time.perf_counter() - start
        results[name] = {
            "requests": WRITES,
            "threads": THREADS,
            "web_processes": len(urls),
            "per_second": round(WRITES / wall, 1),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(percentile(times, 0.95), 1),
            "errors": len(errors),
            "first_errors": errors[:3],
            "pass": not errors,
        }
    return results


def table(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    pages = Table(title=f"bench-scale: pages and API lists (p95 over {REPEAT} requests)")
    for column in ("page", "p50 ms", "p95 ms", "budget", "queries", "small", "result"):
        pages.add_column(column, justify="left" if column == "page" else "right")
    for name, row in results["pages"].items():
        if "error" in row:
            pages.add_row(name, "", "", str(row["budget_ms"]), "", "", f"[red]{row['error']}")
            continue
        verdict = "[green]pass" if row["pass"] else "[red]FAIL"
        pages.add_row(
            name,
            str(row["p50_ms"]),
            str(row["p95_ms"]),
            f"< {row['budget_ms']}",
            str(row["queries"]),
            str(row["queries_small"]),
            verdict,
        )
    console.print(pages)
    if "report" in results:
        r = results["report"]
        console.print(
            f"Audit report draft PDF, {r['findings']} findings, queue to done: {r['seconds']} s "
            f"(budget < {r['budget_s']} s): " + ("[green]pass" if r["pass"] else "[red]FAIL")
        )
    if "writes" in results:
        writes = Table(title="API writes: 4 gunicorn processes, 2 workers, 8 client threads")
        for column in ("write", "requests", "per s", "p50 ms", "p95 ms", "errors", "result"):
            writes.add_column(column, justify="left" if column == "write" else "right")
        for name, row in results["writes"].items():
            writes.add_row(
                name,
                str(row["requests"]),
                str(row["per_second"]),
                str(row["p50_ms"]),
                str(row["p95_ms"]),
                str(row["errors"]),
                "[green]pass" if row["pass"] else "[red]FAIL",
            )
        console.print(writes)


def main() -> int:
    ensure_database()
    import django

    django.setup()
    from django.db import connection

    results: dict[str, Any] = {}
    large, small = World(""), World("-small")
    results["pages"] = measure_pages(large, small) if "pages" in PARTS else {}
    connection.close()
    if not ONLY and PARTS & {"report", "writes"}:
        cluster_module = _cluster_module()
        with cluster_module.Cluster(
            DATABASE_URL, web=4, workers=2, migrate=False, ports=[8111, 8112, 8113, 8114]
        ) as cluster:
            if "report" in PARTS:
                results["report"] = measure_report(large)
            if "writes" in PARTS:
                results["writes"] = measure_writes(large, cluster.web_urls)
    table(results)
    if (ONLY or {"pages", "report", "writes"} != PARTS) and RESULTS.exists():
        # A partial run updates its own figures only.
        previous = json.loads(RESULTS.read_text())
        pages = {**previous.get("pages", {}), **results["pages"]}
        results = {**previous, **results, "pages": pages}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "database": connection.vendor,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                **{k: v for k, v in results.items() if k not in ("when",)},
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {RESULTS}")
    failed = [n for n, r in results["pages"].items() if not r.get("pass")]
    failed += [n for n, r in results.get("writes", {}).items() if not r["pass"]]
    if "report" in results and not results["report"]["pass"]:
        failed.append("report")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
