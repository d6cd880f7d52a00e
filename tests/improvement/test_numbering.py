"""Nonconformity references: NC-0001, NC-0002… per organization, past other references, and
never the same one twice when people report at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from pdca.core.roles import Role
from pdca.improvement.models import Nonconformity
from pdca.improvement.numbering import next_reference, number_nonconformity
from pdca.improvement.reporting import report_nonconformity


def report(personas, org=None, actor=None) -> Nonconformity:
    return report_nonconformity(
        org or personas.org,
        actor=actor or personas.users[Role.EMPLOYEE],
        title="Leak",
        description="Oil on the floor.",
    )


@pytest.mark.django_db
def test_reports_are_numbered_in_order(personas):
    assert [report(personas).reference for _ in range(3)] == ["NC-0001", "NC-0002", "NC-0003"]


@pytest.mark.django_db
def test_each_organization_counts_on_its_own(personas):
    report(personas)
    report(personas)
    theirs = report(personas, org=personas.other, actor=personas.outsider)
    assert theirs.reference == "NC-0001"


@pytest.mark.django_db
def test_the_next_number_follows_the_highest_and_ignores_other_references(personas):
    org = personas.org
    for reference in ("NC-0007", "IA-2026-01-F1", "NC-12a", "NC-0002", ""):
        Nonconformity.objects.create(
            organization=org, reference=reference, title="x", description="y", source="employee"
        )
    assert next_reference(org.pk) == "NC-0008"
    assert report(personas).reference == "NC-0008"


@pytest.mark.django_db
def test_numbers_grow_past_four_digits(personas):
    Nonconformity.objects.create(
        organization=personas.org,
        reference="NC-9999",
        title="x",
        description="y",
        source="employee",
    )
    assert next_reference(personas.org.pk) == "NC-10000"


@pytest.mark.django_db
def test_a_nonconformity_with_a_reference_keeps_it(personas):
    nc = Nonconformity(organization=personas.org, reference="IA-2026-01-F1")
    number_nonconformity(nc)
    assert nc.reference == "IA-2026-01-F1"
    blank = Nonconformity(organization=personas.org, reference="")
    number_nonconformity(blank)
    assert blank.reference == "NC-0001"


@pytest.mark.django_db(transaction=True)
def test_people_reporting_at_once_get_different_numbers(personas):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the row lock matters on PostgreSQL")
    workers = 6
    start = threading.Barrier(workers)
    references, errors = [], []

    def reporter(i: int) -> None:
        from django.db import connection as conn

        try:
            start.wait()
            references.append(report(personas).reference)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=reporter, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(references) == [f"NC-{n:04d}" for n in range(1, workers + 1)]
