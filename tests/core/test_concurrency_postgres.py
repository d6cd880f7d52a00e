"""Concurrent writers on PostgreSQL: nothing lost, no silent overwrite, rules that span rows
hold (issue 13, "No lost update, no silent overwrite").

Real threads, each with its own connection, fire requests at the same rows at once. SQLite
runs every transaction IMMEDIATE (one writer at a time), so these run on PostgreSQL only:
DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdca_conc
    pytest tests/core/test_concurrency_postgres.py
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from pdca.core.models import ActivityEntry
from pdca.core.roles import MANAGERS, Role
from pdca.core.testing.api_bundle import login
from pdca.tenancy.models import Membership

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes every writer (IMMEDIATE transactions); row locks and lost "
        "updates only show on PostgreSQL (set DATABASE_URL to a PostgreSQL database)",
    ),
]


def run_at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread, all starting together; results (or exceptions) in
    order."""
    start = threading.Barrier(len(calls))

    def run(call):
        from django.db import connection as conn

        try:
            start.wait(timeout=30)
            return call()
        except Exception as exc:  # returned to the test, which says what it expects
            return exc
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def client_for(user) -> Client:
    client = Client()
    login(client, user)
    return client


def patch(client: Client, url: str, data: dict, etag: str | None = None):
    headers = {"HTTP_IF_MATCH": etag} if etag else {}
    return client.patch(url, data, content_type="application/json", **headers)


def updates_of(obj) -> list[ActivityEntry]:
    return list(
        ActivityEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action="update"
        ).order_by("seq")
    )


def lost_updates(obj, entries: list[ActivityEntry], plans: dict[str, list[Any]]) -> int:
    """How many of the writes in `plans` were lost: a value the row does not end with, a
    write that left no entry, or an entry whose before-value is not what the previous write
    of that field left (someone else's save silently put an old value back in between)."""
    lost = 0
    for field, values in plans.items():
        changes = [e.changes[field] for e in entries if field in e.changes]
        lost += max(0, len(values) - len(changes))
        lost += sum(
            1 for previous, current in itertools.pairwise(changes) if current[0] != previous[1]
        )
        stored = getattr(obj, field)
        stored = stored.isoformat() if hasattr(stored, "isoformat") else stored
        lost += stored != values[-1]
    return lost


# --- different fields of one row at once --------------------------------------------------------


def test_four_writers_of_different_fields_of_one_gap_item_lose_nothing(personas, catalog):
    from tests.assessments.test_api import assess

    assessment = assess(personas)
    item = assessment.items.order_by("pk").first()
    url = f"/api/v1/gap-items/{item.pk}/"
    rounds = 20
    start = dt.date(2027, 1, 1)
    plans = {
        "notes": [f"note {i}" for i in range(rounds)],
        "evidence": [f"evidence {i}" for i in range(rounds)],
        "justification": [f"why {i}" for i in range(rounds)],
        "target_date": [(start + dt.timedelta(days=i)).isoformat() for i in range(rounds)],
    }

    def writer(field: str) -> Callable[[], list[int]]:
        client = client_for(personas.manager)

        def write() -> list[int]:
            return [patch(client, url, {field: value}).status_code for value in plans[field]]

        return write

    results = run_at_once([writer(field) for field in plans])
    assert results == [[200] * rounds] * len(plans)
    item.refresh_from_db()
    entries = updates_of(item)
    lost = lost_updates(item, entries, plans)
    assert (lost, len(entries)) == (0, 4 * rounds), f"{lost} of 80 field updates lost"
    assert item.notes == "note 19"
    assert item.target_date == start + dt.timedelta(days=19)


def test_writers_of_different_fields_of_one_nonconformity_lose_nothing(personas):
    from tests.improvement.test_nonconformity_register import make_nc

    nc = make_nc(personas.org)
    url = f"/api/v1/nonconformities/{nc.pk}/"
    rounds = 10
    plans = {
        "title": [f"title {i}" for i in range(rounds)],
        "description": [f"description {i}" for i in range(rounds)],
        "reference": [f"NC-R{i:03d}" for i in range(rounds)],
        "due_date": [dt.date(2027, 2, 1 + i).isoformat() for i in range(rounds)],
    }

    def writer(field: str):
        client = client_for(personas.manager)
        return lambda: [patch(client, url, {field: v}).status_code for v in plans[field]]

    results = run_at_once([writer(field) for field in plans])
    assert results == [[200] * rounds] * len(plans)
    nc.refresh_from_db()
    entries = updates_of(nc)
    lost = lost_updates(nc, entries, plans)
    assert (lost, len(entries)) == (0, 4 * rounds), f"{lost} of 40 field updates lost"
    assert (nc.title, nc.description, nc.reference, nc.due_date.isoformat()) == (
        "title 9",
        "description 9",
        "NC-R009",
        "2027-02-10",
    )


# --- one field, one version, many writers ------------------------------------------------------


def test_fifty_writers_with_the_same_version_one_wins_the_rest_get_412(personas):
    from tests.improvement.test_nonconformity_register import make_nc

    nc = make_nc(personas.org)
    url = f"/api/v1/nonconformities/{nc.pk}/"
    clients = [client_for(personas.manager) for _ in range(50)]
    etag = clients[0].get(url)["ETag"]

    def writer(n: int):
        return lambda: patch(clients[n], url, {"title": f"writer {n}"}, etag)

    responses = run_at_once([writer(n) for n in range(50)])
    codes = sorted(r.status_code for r in responses)
    accepted = codes.count(200)
    assert codes == [200] + [412] * 49, f"{accepted} of 50 conflicting writes accepted"
    winner = next(n for n, r in enumerate(responses) if r.status_code == 200)
    nc.refresh_from_db()
    assert nc.title == f"writer {winner}"
    assert len(updates_of(nc)) == 1
    refused = next(r for r in responses if r.status_code == 412).json()
    assert refused["code"] == "stale_version"
    assert "title" in refused["detail"] and personas.manager.email in refused["detail"]


# --- rules that span rows ---------------------------------------------------------------------


def test_three_simultaneous_demotions_leave_a_manager(personas):
    from pdca.accounts.models import User

    org = personas.org
    Membership.objects.filter(organization=org, role__in=MANAGERS).update(role=Role.EMPLOYEE)
    managers = []
    for n in range(3):
        user = User.objects.create_user(email=f"boss{n}@a.example", password="x", full_name=f"B{n}")
        managers.append(
            Membership.objects.create(organization=org, user=user, role=Role.SYSTEM_MANAGER)
        )
    # Each manager demotes the next one, all at once: one by one, the third is refused.
    calls = []
    for n, membership in enumerate(managers):
        client = client_for(managers[(n + 1) % 3].user)
        url = f"/api/v1/memberships/{membership.pk}/"
        calls.append(lambda client=client, url=url: patch(client, url, {"role": Role.EMPLOYEE}))
    responses = run_at_once(calls)
    assert all(r.status_code in (200, 403, 409) for r in responses), [
        (r.status_code, r.content[:200]) for r in responses
    ]
    left = Membership.objects.filter(organization=org, role__in=MANAGERS, user__is_active=True)
    assert left.count() >= 1


def test_one_accountable_per_raci_row_under_concurrency(personas):
    from pdca.system.models import RaciAssignment, Responsibility
    from pdca.system.raci import services as raci

    row = Responsibility.objects.create(organization=personas.org, activity="Release programs")
    parties = ["Quality manager", "Plant manager", "CNC lead", "Owner"]

    def give_a(party: str):
        return lambda: raci.set_assignment(
            row, party_role=party, letter="A", actor=personas.manager
        )

    results = run_at_once([give_a(p) for p in parties])
    assert sum(1 for r in results if not isinstance(r, Exception)) == 1
    assert RaciAssignment.objects.filter(responsibility=row, letter="A").count() == 1


def test_one_published_version_when_two_are_published_at_once(personas):
    from pdca.documents.models import DocumentVersion
    from pdca.documents.versions import services as versions
    from tests.documents.test_versions import make_document, make_version

    S = DocumentVersion.Status
    document = make_document(personas.org)
    first = make_version(personas.org, S.APPROVED, document=document, number=1)
    second = make_version(personas.org, S.APPROVED, document=document, number=2)
    approver = personas.manager
    results = run_at_once(
        [
            lambda: versions.publish_version(first, actor=approver),
            lambda: versions.publish_version(second, actor=approver),
        ]
    )
    assert [r for r in results if isinstance(r, Exception)] == []
    assert document.versions.filter(status=S.PUBLISHED).count() == 1
    assert document.versions.filter(status=S.SUPERSEDED).count() == 1
