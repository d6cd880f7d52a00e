"""Benchmarks: `make bench` writes the figures to benchmarks/results/latest.json.

Each benchmark sets up its data in a throwaway test database (SQLite unless DATABASE_URL says
otherwise), runs the operation several times, and reports the median.
"""

from __future__ import annotations

import json
import os
import platform
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

RESULTS = Path(__file__).parent / "results" / "latest.json"
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
    from pdca.core.testing import make_personas

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
    seconds = median_seconds(lambda: client.get("/api/v1/sites/?limit=50"))
    return {"value": round(seconds * 1000, 2)}


@benchmark("page_home", "ms")
def page_home() -> dict:
    from pdca.core.roles import Role
    from pdca.core.testing.api_bundle import login
    from pdca.tenancy.models import Membership

    client = Client()
    login(client, Membership.objects.get(organization__slug="org-a", role=Role.SYSTEM_MANAGER).user)
    seconds = median_seconds(lambda: client.get("/"))
    return {"value": round(seconds * 1000, 2)}


def main() -> int:
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    results = {}
    try:
        for name, unit, fn in BENCHMARKS:
            with console.status(f"{name}…"):
                results[name] = {"unit": unit, **fn()}
    finally:
        from django.test.utils import teardown_databases

        teardown_databases(old, verbosity=0)
    table = Table(title="pdca benchmarks")
    table.add_column("benchmark")
    table.add_column("value", justify="right")
    table.add_column("unit")
    for name, data in results.items():
        table.add_row(name, str(data["value"]), data["unit"])
    console.print(table)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
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
