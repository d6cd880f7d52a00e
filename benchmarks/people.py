"""The competence matrix of a large organization: 2,000 people on four sites in eight teams,
12 requirements (paths passed, qualifications, experience; for everyone, a role, a team or a
site) and about 10,000 training records and 300 assignments; the time to compute the matrix,
to write it as XLSX, and the queries it takes.

`run.py` adds these with `add(...)`, handing over its helpers.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

PEOPLE = 2000
TEAMS = ["Assembly", "Machining", "Warehouse", "Quality", "Maintenance", "Office", "IT", "Sales"]
ROLES = ["employee"] * 12 + ["process_owner"] * 2 + ["internal_auditor"]

_MATRIX: dict[str, Any] = {}


def seed_people(
    org: Any, count: int, sites: list[Any], rng: random.Random, *, roles: list[str], domain: str
) -> tuple[list[Any], list[str]]:
    """`count` users and their memberships on `sites`: the first ones hold `roles` (one each),
    the others a role drawn from ROLES; teams and job titles drawn too. Inserted directly."""
    from django.contrib.auth.hashers import make_password

    from pdca.accounts.models import User
    from pdca.tenancy.models import Membership

    password = make_password("bench-password-1")
    users = User.objects.bulk_create(
        User(email=f"person{i:04d}@{domain}", full_name=f"Person {i:04d}", password=password)
        for i in range(count)
    )
    held = []
    memberships = []
    for i, user in enumerate(users):
        role = roles[i] if i < len(roles) else rng.choice(ROLES)
        held.append(role)
        memberships.append(
            Membership(
                organization=org,
                user=user,
                role=role,
                team=rng.choice(TEAMS),
                site=rng.choice(sites),
                job_title=rng.choice(["Operator", "Technician", "Supervisor", "Engineer"]),
            )
        )
    Membership.objects.bulk_create(memberships)
    return users, held


def seed_competence(
    org: Any,
    users: list[Any],
    sites: list[Any],
    rng: random.Random,
    today: dt.date,
    *,
    requirements: int = 12,
    per_person: int = 5,
) -> tuple[list[Any], list[Any], int]:
    """Five training paths, up to twelve competence requirements (for everyone, a role, a
    team, a site or a position; passed paths, qualifications, assessments, experience), and
    `per_person` training records for each user; returns the paths, the requirements and the
    number of records."""
    from pdca.people.models import CompetenceRequirement, TrainingPath, TrainingRecord

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
        {"site": sites[1 % len(sites)]},
        {"position": "Supervisor"},
        {"team": "IT"},
        {"role": "process_owner"},
    ]
    made = []
    for n, audience in enumerate(audiences[:requirements], start=1):
        evaluation = ["path_passed", "qualification", "assessed", "experience"][n % 4]
        made.append(
            CompetenceRequirement(
                organization=org,
                code=f"CR-{n:02d}",
                title=f"Requirement {n}",
                evaluation=evaluation,
                path=paths[n % 5] if evaluation == "path_passed" else None,
                min_experience_months=24 if evaluation == "experience" else None,
                validity_months=36 if n % 3 == 0 else None,
                **audience,
            )
        )
    made = CompetenceRequirement.objects.bulk_create(made)
    records = []
    for user in users:
        for requirement in rng.sample(made, per_person):
            completed = today - dt.timedelta(days=rng.randint(10, 1200))
            experience = requirement.evaluation == "experience"
            records.append(
                TrainingRecord(
                    organization=org,
                    person=user,
                    kind="experience" if experience else "training",
                    title=f"Evidence of {requirement.code}",
                    requirement=None if requirement.path_id else requirement,
                    path=requirement.path,
                    started_on=completed - dt.timedelta(days=rng.randint(30, 1500)),
                    completed_on=completed,
                    result=rng.choice(["passed"] * 8 + ["attended", "failed"]),
                    expires_on=None if experience else completed + dt.timedelta(days=730),
                )
            )
    TrainingRecord.objects.bulk_create(records, batch_size=2000)
    return paths, made, len(records)


def _organization() -> tuple[Any, Any]:
    """The organization, its people, requirements and records; built once, inserted directly."""
    if _MATRIX:
        return _MATRIX["org"], _MATRIX["manager"]
    from django.utils import timezone

    from pdca.people.models import Assignment
    from pdca.tenancy.models import Organization, Site

    rng = random.Random(11)
    today = timezone.localdate()
    org = Organization.objects.create(name="Matrix Manufacturing", slug="matrix-bench")
    sites = Site.objects.bulk_create(
        Site(organization=org, name=f"Site {n}", code=f"S{n}") for n in range(1, 5)
    )
    users, _ = seed_people(
        org, PEOPLE, sites, rng, roles=["system_manager"], domain="matrix.example"
    )
    manager = users[0]
    paths, requirements, records = seed_competence(org, users, sites, rng, today)
    Assignment.objects.bulk_create(
        Assignment(
            organization=org,
            person=user,
            requirement=rng.choice(requirements),
            action="Catch up",
            due_date=today + dt.timedelta(days=rng.randint(-30, 90)),
            owner=manager,
        )
        for user in rng.sample(users, 300)
    )
    for audience in ({"team": "Warehouse"}, {"site": sites[2]}):
        Assignment.objects.create(
            organization=org,
            path=paths[0],
            due_date=today + dt.timedelta(days=30),
            owner=manager,
            **audience,
        )
    _MATRIX.update(org=org, manager=manager, records=records, requirements=len(requirements))
    return org, manager


def add(benchmark: Callable, timed_with_queries: Callable, median_seconds: Callable) -> None:
    """Register the people benchmarks with run.py's `benchmark` decorator."""

    @benchmark("competence_matrix_2000_people", "ms")
    def competence_matrix_bench() -> dict:
        from pdca.people.services.competence import competence_matrix

        org, _ = _organization()
        figures = timed_with_queries(lambda: competence_matrix(org), repeat=5)
        matrix = competence_matrix(org)
        return {
            **figures,
            "people": len(matrix.rows),
            "requirements": len(matrix.requirements),
            "records": _MATRIX["records"],
            "cells": {str(k): v for k, v in sorted(matrix.counts.items())},
        }

    @benchmark("page_competence_matrix_2000_people", "ms")
    def competence_matrix_page_bench() -> dict:
        """The matrix page as the system manager sees it (first page of 100 people; the
        summary, column counts and gap list cover all 2,000)."""
        from django.test import Client

        from pdca.core.testing.api_bundle import login
        from pdca.tenancy.middleware import SESSION_KEY

        org, manager = _organization()
        client = Client()
        login(client, manager)
        session = client.session
        session[SESSION_KEY] = org.pk
        session.save()
        response = client.get("/training/matrix/")
        assert response.status_code == 200, response.status_code
        seconds = median_seconds(lambda: client.get("/training/matrix/"), repeat=5)
        return {"value": round(seconds * 1000, 2), "html_bytes": len(response.content)}

    @benchmark("competence_matrix_xlsx_2000_people", "ms")
    def competence_matrix_xlsx_bench() -> dict:
        from pdca.people.services.competence import competence_matrix

        try:
            from pdca.people.services.reports import matrix_xlsx
        except ImportError:
            return {"value": None, "skipped": "people.services.reports.matrix_xlsx is missing"}
        org, _ = _organization()
        matrix = competence_matrix(org)
        seconds = median_seconds(lambda: matrix_xlsx(matrix), repeat=3)
        return {
            "value": round(seconds * 1000, 2),
            "what": "matrix_xlsx() of a computed matrix",
            "xlsx_bytes": len(matrix_xlsx(matrix)),
        }
