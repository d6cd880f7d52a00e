"""The pages people use most, measured over HTTP against gunicorn, beside a bare request.

`make bench` runs this in a subprocess of its own: it builds a SQLite file database (an
organization with an ISO/IEC 27001 assessment of 123 items and an assessment of all seven
standards), collects static files, starts `gunicorn --workers 1` on production settings and
times each URL over one kept-alive connection. Figures are reported as ratios too: a page's
median against the bare request's (`/healthz`), and each URL's p95 against its own median.

    python -m benchmarks.http_floor            # prints the figures as JSON
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Requests per URL after the warm-up; enough for a p95 that is not one unlucky request.
REQUESTS = int(os.environ.get("PDCA_BENCH_HTTP_REQUESTS", "200"))
WARM_UP = 20


def _setup() -> None:
    """Runs inside the subprocess, on the file database: data, a session, the URLs as JSON."""
    import django

    django.setup()
    import datetime as dt
    import random

    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from pdca.assessments.models import GapItem
    from pdca.assessments.services import create_assessment
    from pdca.core.roles import Role
    from pdca.standards.models import Standard
    from pdca.standards.services import ensure_catalogs_loaded
    from pdca.system.services import create_system
    from pdca.tenancy.testing import make_personas

    ensure_catalogs_loaded()
    personas = make_personas()
    manager = personas.users[Role.SYSTEM_MANAGER]
    users = list(personas.users.values())
    rng = random.Random(11)
    statuses = [s for s in GapItem.Status.values if s != GapItem.Status.NOT_APPLICABLE]

    def assessed(name: str, standards: list[Standard]):
        system = create_system(
            personas.org, name=name, standards=standards, owner=manager, actor=manager
        )
        assessment = create_assessment(system, title=name, actor=manager)
        items = list(assessment.items.all())
        for item in items:
            item.status = rng.choice(statuses)
            item.owner = rng.choice(users)
            item.target_date = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(365))
            item.notes = "Benchmark note " * rng.randrange(4)
            item.evidence = (
                "DOC-001\nhttps://intranet.example/evidence" if rng.random() < 0.5 else ""
            )
        GapItem.objects.bulk_update(items, ["status", "owner", "target_date", "notes", "evidence"])
        return assessment, len(items)

    newest = list(Standard.objects.filter(replaced_by__isnull=True).order_by("code"))
    iso27001, n27001 = assessed("ISMS", [Standard.objects.get(code="iso27001-2022")])
    seven, nseven = assessed("Seven standards", newest)
    client = Client()
    client.force_login(manager)
    print(
        json.dumps(
            {
                "session": client.cookies["sessionid"].value,
                "urls": {
                    "healthz": "/healthz",
                    "assessment_page_27001": f"/assessments/{iso27001.pk}/",
                    "api_gap_items_7_standards": (
                        f"/api/v1/assessments/{seven.pk}/items/?limit=500"
                    ),
                    "assessment_page_7_standards": f"/assessments/{seven.pk}/",
                },
                "items": {
                    "assessment_page_27001": n27001,
                    "api_gap_items_7_standards": nseven,
                    "assessment_page_7_standards": nseven,
                },
            }
        )
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(conn: http.client.HTTPConnection, url: str, cookie: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    conn.request("GET", url, headers={"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    return time.perf_counter() - start, response.status, len(body)


def measure(requests: int = REQUESTS) -> dict:
    """Build the database, start gunicorn, time every URL; the figures as a dict."""
    work = Path(tempfile.mkdtemp(prefix="pdca-http-bench-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PDCA_", "DJANGO_"))},
        "DJANGO_SETTINGS_MODULE": "pdca.settings",
        "DATABASE_URL": f"sqlite:///{work / 'pdca.sqlite3'}",
        "PDCA_VAR_DIR": str(work / "var"),
        "PDCA_SECRET_KEY": secrets.token_urlsafe(40),
        "PDCA_ALLOWED_HOSTS": "127.0.0.1",
        "PDCA_SECURE_SSL_REDIRECT": "0",
        "PDCA_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    }
    setup = subprocess.run(
        [sys.executable, "-m", "benchmarks.http_floor", "--setup"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    plan = json.loads(setup.stdout.strip().splitlines()[-1])
    port = _free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "pdca.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        conn = _connect(port)
        figures: dict[str, dict] = {}
        for name, url in plan["urls"].items():
            for _ in range(WARM_UP):
                _get(conn, url, plan["session"])
            times, size = [], 0
            for _ in range(requests):
                seconds, status, size = _get(conn, url, plan["session"])
                if status != 200:
                    raise RuntimeError(f"GET {url} answered {status}")
                times.append(seconds * 1000)
            times.sort()
            median = statistics.median(times)
            p95 = times[int(len(times) * 0.95) - 1]
            figures[name] = {
                "median_ms": round(median, 2),
                "p95_ms": round(p95, 2),
                "p95_over_median": round(p95 / median, 2),
                "bytes": size,
                **({"items": plan["items"][name]} if name in plan["items"] else {}),
            }
        floor = figures["healthz"]["median_ms"]
        for data in figures.values():
            data["over_healthz"] = round(data["median_ms"] / floor, 1)
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def _connect(port: int) -> http.client.HTTPConnection:
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return conn
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    if "--setup" in sys.argv:
        _setup()
    else:
        print(json.dumps(measure(), indent=2))
