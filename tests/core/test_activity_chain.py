"""The activity log as a hash chain: how entries are appended, and how tampering is found."""

import datetime as dt
import decimal
import hashlib
import json
import sqlite3
import threading
import uuid

import pytest
from django.db import connection, connections

from pdca.core.activity import (
    jsonable,
    record_activity,
    record_create,
    record_delete,
    record_update,
    snapshot,
    verify_log,
)
from pdca.core.context import channel
from pdca.core.models import GENESIS_HASH, ActivityChainHead, ActivityEntry
from pdca.tenancy.models import Organization
from tests.tenancy.factories import make_site


def expected_hash(entry: ActivityEntry) -> str:
    """The entry's hash, worked out here without the code under test."""
    content = {
        "chain": entry.chain,
        "seq": entry.seq,
        "organization": entry.organization_id,
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "via": entry.via,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "changes": entry.changes,
        "message": entry.message,
        "created_at": entry.created_at.astimezone(dt.UTC).isoformat(),
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((entry.prev_hash + text).encode("utf-8")).hexdigest()


def chain_of(organization) -> list[ActivityEntry]:
    return list(ActivityEntry.objects.filter(chain=f"org:{organization.pk}").order_by("seq"))


def record_three(personas) -> list[ActivityEntry]:
    """Three entries on organization A's chain, read back from the database."""
    site = make_site(personas.org)
    for i in range(3):
        record_activity(
            actor=personas.manager, action="update", obj=site, changes={"step": [i, i + 1]}
        )
    return chain_of(personas.org)


def only_problem(report):
    assert not report.ok
    assert len(report.problems) == 1
    return report.problems[0]


# --- appending ----------------------------------------------------------------------------


def test_entries_of_one_organization_are_numbered_one_two_three(personas):
    entries = record_three(personas)
    assert [e.seq for e in entries] == [1, 2, 3]
    assert {e.chain for e in entries} == {f"org:{personas.org.pk}"}
    assert {e.organization_id for e in entries} == {personas.org.pk}


def test_each_entry_links_to_the_hash_of_the_one_before(personas):
    entries = record_three(personas)
    assert entries[0].prev_hash == GENESIS_HASH == "0" * 64
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert len({e.hash for e in entries}) == 3


def test_hash_is_sha256_of_previous_hash_and_canonical_content(personas):
    entries = record_three(personas)
    assert [e.hash for e in entries] == [expected_hash(e) for e in entries]


def test_hash_covers_non_ascii_text_unescaped(personas):
    site = make_site(personas.org, name="Usine de Besançon")
    record_activity(actor=personas.manager, action="note", obj=site, message="Prüfung – ok ✓")
    (entry,) = chain_of(personas.org)
    assert entry.object_repr == "Usine de Besançon"
    assert entry.hash == expected_hash(entry)


def test_head_row_follows_the_last_entry(personas):
    entries = record_three(personas)
    head = ActivityChainHead.objects.get(chain=f"org:{personas.org.pk}")
    assert head.seq == 3
    assert head.hash == entries[2].hash


def test_each_organization_has_its_own_chain(personas):
    site_a = make_site(personas.org)
    site_b = make_site(personas.other)
    for obj in (site_a, site_b, site_a, site_b, site_a):
        record_activity(actor=None, action="note", obj=obj)
    chain_a, chain_b = chain_of(personas.org), chain_of(personas.other)
    assert [e.seq for e in chain_a] == [1, 2, 3]
    assert [e.seq for e in chain_b] == [1, 2]
    assert chain_b[0].prev_hash == GENESIS_HASH
    assert chain_b[1].prev_hash == chain_b[0].hash
    assert {e.organization_id for e in chain_b} == {personas.other.pk}
    heads = dict(ActivityChainHead.objects.exclude(chain="platform").values_list("chain", "seq"))
    assert heads == {f"org:{personas.org.pk}": 3, f"org:{personas.other.pk}": 2}


def test_an_entry_about_an_organization_goes_on_its_own_chain(personas):
    entry = record_activity(actor=personas.manager, action="note", obj=personas.org)
    assert entry.chain == f"org:{personas.org.pk}"
    assert entry.organization_id == personas.org.pk
    assert entry.object_type == "tenancy.organization"
    assert entry.object_id == str(personas.org.pk)


def test_an_entry_without_organization_goes_on_the_platform_chain(personas):
    # The test database may already hold platform entries (loading the standards catalogs).
    start = ActivityEntry.objects.filter(chain="platform").count()
    user = personas.outsider
    first = record_activity(actor=None, action="create", obj=user)
    second = record_activity(actor=None, action="update", obj=user)
    assert (first.chain, first.seq, first.organization_id) == ("platform", start + 1, None)
    assert (second.chain, second.seq, second.prev_hash) == ("platform", start + 2, first.hash)
    assert (first.actor_id, first.actor_label) == (None, "system")
    assert ActivityChainHead.objects.get(chain="platform").seq == start + 2


def test_entry_names_actor_channel_and_object(personas):
    site = make_site(personas.org, name="Depot")
    with channel("api"):
        entry = record_activity(actor=personas.manager, action="update", obj=site)
    entry = ActivityEntry.objects.get(pk=entry.pk)
    assert entry.actor_id == personas.manager.pk
    assert entry.actor_label == "system_manager@a.example"
    assert entry.via == "api"
    assert entry.object_type == "tenancy.site"
    assert entry.object_id == str(site.pk)
    assert entry.object_repr == "Depot"
    assert entry.changes == {}


# --- record_create, record_update, record_delete ------------------------------------------


def test_record_create_lists_every_filled_field_as_from_nothing(personas):
    site = make_site(personas.org, name="Plant", city="Leeds", country="GB")
    entry = record_create(actor=personas.manager, obj=site)
    assert entry.action == "create"
    assert ActivityEntry.objects.get(pk=entry.pk).changes == {
        "name": [None, "Plant"],
        "city": [None, "Leeds"],
        "country": [None, "GB"],
        "is_headquarters": [None, False],
    }


def test_record_update_lists_only_changed_fields_as_before_and_after(personas):
    site = make_site(personas.org, name="Plant", city="Leeds", country="GB")
    before = snapshot(site)
    site.city = "York"
    site.headcount = 12
    site.save()
    entry = record_update(actor=personas.manager, obj=site, before=before)
    assert entry.action == "update"
    assert ActivityEntry.objects.get(pk=entry.pk).changes == {
        "city": ["Leeds", "York"],
        "headcount": [None, 12],
    }


def test_record_update_writes_nothing_when_nothing_changed(personas):
    site = make_site(personas.org)
    before = snapshot(site)
    site.save()
    entries_before = ActivityEntry.objects.count()
    assert record_update(actor=personas.manager, obj=site, before=before) is None
    assert ActivityEntry.objects.count() == entries_before
    assert not ActivityChainHead.objects.filter(chain=f"org:{personas.org.pk}").exists()


def test_record_update_with_a_message_is_written_even_without_changes(personas):
    site = make_site(personas.org)
    entry = record_update(
        actor=personas.manager, obj=site, before=snapshot(site), action="review", message="Seen"
    )
    assert (entry.action, entry.changes, entry.message, entry.seq) == ("review", {}, "Seen", 1)


def test_record_delete_lists_every_filled_field_as_to_nothing(personas):
    site = make_site(personas.org, name="Plant", city="Leeds", country="GB", headcount=4)
    site_id = site.pk
    entry = record_delete(actor=personas.manager, obj=site)
    site.delete()
    entry = ActivityEntry.objects.get(pk=entry.pk)
    assert (entry.action, entry.object_id) == ("delete", str(site_id))
    assert entry.changes == {
        "name": ["Plant", None],
        "city": ["Leeds", None],
        "country": ["GB", None],
        "headcount": [4, None],
        "is_headquarters": [False, None],
    }


def test_rich_values_read_back_identically_and_the_chain_verifies(personas):
    site = make_site(personas.org)
    paris = dt.timezone(dt.timedelta(hours=2))
    ref = uuid.UUID("12345678-1234-5678-1234-567812345678")
    changes = {
        "amount": [decimal.Decimal("1.10"), decimal.Decimal("12345678901234567890.000001")],
        "due": [dt.date(2024, 1, 31), None],
        "at": [dt.datetime(2024, 5, 1, 12, 30, 15, 123456, tzinfo=paris), None],
        "naive": [dt.datetime(2024, 5, 1, 12, 30), None],
        "time": [dt.time(8, 15), None],
        "ref": [ref, None],
        "tags": [{"b", "a"}, ("x", 1)],
        "nested": [{"k": {"v": decimal.Decimal("0.5")}}, True],
        "ratio": [0.1, 2.5],
    }
    entry = record_activity(actor=personas.manager, action="update", obj=site, changes=changes)
    stored = ActivityEntry.objects.get(pk=entry.pk)
    assert stored.changes == {
        "amount": ["1.10", "12345678901234567890.000001"],
        "due": ["2024-01-31", None],
        "at": ["2024-05-01T10:30:15.123456+00:00", None],
        "naive": ["2024-05-01T12:30:00", None],
        "time": ["08:15:00", None],
        "ref": ["12345678-1234-5678-1234-567812345678", None],
        "tags": [["a", "b"], ["x", 1]],
        "nested": [{"k": {"v": "0.5"}}, True],
        "ratio": [0.1, 2.5],
    }
    assert stored.changes == jsonable(changes)
    assert stored.hash == entry.hash == expected_hash(stored)
    assert verify_log().ok


@pytest.mark.parametrize(
    "value, stored",
    [
        (0.1, 0.1),
        (123456789.5, 123456789.5),
        (1e-07, 1e-07),
        (1e16, 10000000000000000),
        (-2.5e20, -250000000000000000000),
        (-0.0, 0.0),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
    ],
)
def test_floats_are_stored_as_every_database_reads_them_back(personas, value, stored):
    # Regression: PostgreSQL's jsonb read 1e16 back as an integer and -0.0 as 0.0, so an
    # untouched entry failed verification; NaN and infinity were refused outright.
    entry = record_activity(
        actor=None, action="update", obj=personas.org, changes={"x": [value, None]}
    )
    read_back = ActivityEntry.objects.get(pk=entry.pk).changes["x"][0]
    assert (read_back, type(read_back)) == (stored, type(stored))
    assert json.dumps(read_back) == json.dumps(stored)
    assert verify_log().ok


# --- verifying ----------------------------------------------------------------------------


def test_an_intact_log_verifies(personas):
    platform = ActivityEntry.objects.filter(chain="platform").count()
    record_three(personas)
    record_activity(actor=None, action="note", obj=make_site(personas.other))
    record_activity(actor=None, action="note", obj=personas.outsider)
    report = verify_log()
    assert report.ok
    assert report.problems == []
    assert (report.chains, report.entries) == (3, 3 + 1 + platform + 1)


def test_a_chain_without_entries_verifies(db):
    report = verify_log(["org:999999"])
    assert report.ok
    assert (report.chains, report.entries) == (1, 0)


def test_verify_log_reads_only_the_named_chains(personas):
    record_three(personas)
    record_activity(actor=None, action="note", obj=make_site(personas.other))
    report = verify_log([f"org:{personas.other.pk}"])
    assert (report.ok, report.chains, report.entries) == (True, 1, 1)


def test_verify_log_reports_each_chain_to_progress(personas):
    record_three(personas)
    record_activity(actor=None, action="note", obj=personas.outsider)
    seen = []
    verify_log(progress=seen.append)
    assert seen == sorted([f"org:{personas.org.pk}", "platform"])


@pytest.mark.parametrize(
    "field, value",
    [
        ("changes", {"step": [1, 99]}),
        ("object_repr", "Somewhere else"),
        ("actor_label", "someone.else@a.example"),
        ("action", "delete"),
        ("message", "added later"),
    ],
)
def test_an_altered_middle_entry_is_found(personas, field, value):
    entries = record_three(personas)
    ActivityEntry.objects.filter(pk=entries[1].pk).update(**{field: value})
    problem = only_problem(verify_log())
    assert problem.chain == f"org:{personas.org.pk}"
    assert (problem.seq, problem.entry_id, problem.kind) == (2, entries[1].pk, "altered")
    assert problem.message == "entry 2 was altered: its content no longer matches its hash"


def test_a_removed_middle_entry_is_found_by_the_gap(personas):
    entries = record_three(personas)
    ActivityEntry.objects.filter(pk=entries[1].pk).delete()
    problem = only_problem(verify_log())
    assert (problem.seq, problem.entry_id, problem.kind) == (2, entries[2].pk, "removed")
    assert problem.message == "entry 2 is missing: the chain jumps from 1 to 3"


def test_a_removed_first_entry_is_found(personas):
    entries = record_three(personas)
    ActivityEntry.objects.filter(pk=entries[0].pk).delete()
    problem = only_problem(verify_log())
    assert (problem.seq, problem.entry_id, problem.kind) == (1, entries[1].pk, "removed")
    assert problem.message == "entry 1 is missing: the chain jumps from 0 to 2"


def test_a_removed_last_entry_is_found_by_the_head(personas):
    entries = record_three(personas)
    ActivityEntry.objects.filter(pk=entries[2].pk).delete()
    report = verify_log([entries[0].chain])
    problem = only_problem(report)
    assert report.entries == 2
    assert (problem.seq, problem.entry_id, problem.kind) == (3, None, "removed")
    assert problem.message == (
        "the chain ends at entry 2 but its head records entry 3: entries were removed from the end"
    )


def test_a_replaced_last_entry_is_found_by_the_head(personas):
    entries = record_three(personas)
    last = ActivityEntry.objects.get(pk=entries[2].pk)
    last.changes = {"step": [2, 99]}
    last.hash = expected_hash(last)
    last.save()
    problem = only_problem(verify_log())
    assert (problem.seq, problem.entry_id, problem.kind) == (3, entries[2].pk, "altered")
    assert problem.message == "entry 3 is not the one its chain head records: it was replaced"


def test_a_forged_entry_appended_after_the_head_is_found(personas):
    entries = record_three(personas)
    forged = ActivityEntry(
        chain=entries[2].chain,
        seq=4,
        organization_id=personas.org.pk,
        actor_label="forger@a.example",
        via="web",
        action="update",
        object_type=entries[2].object_type,
        object_id=entries[2].object_id,
        object_repr=entries[2].object_repr,
        changes={},
        message="",
        created_at=entries[2].created_at,
        prev_hash=entries[2].hash,
    )
    forged.hash = expected_hash(forged)
    forged.save(force_insert=True)
    problem = only_problem(verify_log())
    assert (problem.seq, problem.entry_id, problem.kind) == (4, None, "inserted")
    assert problem.message == (
        "the chain ends at entry 4 but its head records entry 3: entries were added after the head"
    )


def test_a_deleted_head_row_is_found(personas):
    entries = record_three(personas)
    ActivityChainHead.objects.filter(chain=entries[0].chain).delete()
    problem = only_problem(verify_log())
    assert (problem.seq, problem.entry_id, problem.kind) == (3, None, "removed")
    assert problem.message == "the chain has 3 entries but no head: its head row was deleted"


def test_entries_written_while_the_log_is_verified_are_no_problem(personas):
    # Regression: the heads are read before the chains are walked, and an entry committed in
    # between was reported as "entries were removed from the end".
    site = make_site(personas.org, name="Depot")
    record_three(personas)
    report = verify_log(
        [f"org:{personas.org.pk}"],
        progress=lambda chain: record_activity(actor=None, action="note", obj=site),
    )
    assert report.problems == []
    assert report.entries == 4


def test_a_chain_started_while_the_log_is_verified_is_no_problem(personas):
    chain = f"org:{personas.other.pk}"
    site = make_site(personas.other)
    report = verify_log(
        [chain], progress=lambda name: record_activity(actor=None, action="note", obj=site)
    )
    assert report.problems == []
    assert (report.chains, report.entries) == (1, 1)


def test_a_removed_last_entry_with_a_rewound_head_is_not_detectable(personas):
    # The head is the only record of the chain's length: whoever can rewrite it as well can cut
    # the end unseen. This pins down that limit rather than hiding it.
    entries = record_three(personas)
    ActivityEntry.objects.filter(pk=entries[2].pk).delete()
    ActivityChainHead.objects.filter(chain=entries[0].chain).update(seq=2, hash=entries[1].hash)
    assert verify_log().ok


def test_a_forged_entry_inserted_in_the_middle_is_found(personas):
    entries = record_three(personas)
    for entry in reversed(entries[1:]):
        ActivityEntry.objects.filter(pk=entry.pk).update(seq=entry.seq + 1)
    forged = ActivityEntry(
        chain=entries[0].chain,
        seq=2,
        organization_id=personas.org.pk,
        actor_label="forger@a.example",
        via="web",
        action="update",
        object_type=entries[0].object_type,
        object_id=entries[0].object_id,
        object_repr=entries[0].object_repr,
        changes={"step": [0, 42]},
        message="",
        created_at=entries[0].created_at,
        prev_hash=entries[0].hash,
    )
    forged.hash = expected_hash(forged)
    forged.save(force_insert=True)
    problem = only_problem(verify_log())
    assert (problem.seq, problem.entry_id, problem.kind) == (3, entries[1].pk, "inserted")
    assert problem.message == (
        "entry 3 does not link to entry 2: an entry before it was replaced, removed or inserted"
    )


def test_an_altered_entry_with_a_recomputed_hash_breaks_the_next_link(personas):
    entries = record_three(personas)
    altered = ActivityEntry.objects.get(pk=entries[1].pk)
    altered.changes = {"step": [1, 99]}
    altered.hash = expected_hash(altered)
    altered.save()
    problem = only_problem(verify_log())
    assert (problem.seq, problem.entry_id, problem.kind) == (3, entries[2].pk, "inserted")
    assert problem.message == (
        "entry 3 does not link to entry 2: an entry before it was replaced, removed or inserted"
    )


def test_tampering_in_one_chain_leaves_the_others_verified(personas):
    entries = record_three(personas)
    record_activity(actor=None, action="note", obj=make_site(personas.other))
    ActivityEntry.objects.filter(pk=entries[0].pk).update(message="changed")
    report = verify_log()
    assert [(p.chain, p.seq, p.kind) for p in report.problems] == [
        (f"org:{personas.org.pk}", 1, "altered")
    ]
    assert verify_log([f"org:{personas.other.pk}", "platform"]).ok


# --- concurrency --------------------------------------------------------------------------


@pytest.fixture
def database_on_file(tmp_path):
    """Run the test on a file database when the test database is SQLite in memory.

    In-memory SQLite shares one cache between connections, and a writer that meets another's
    lock fails at once with "database table is locked" instead of waiting for the busy timeout
    as it does on the file database of a real install. This copies the test database to a file
    and points every connection (this thread's and any new thread's) at it for the test.
    """
    original = connections["default"]
    if original.vendor != "sqlite" or not original.is_in_memory_db():
        yield
        return
    path = tmp_path / "concurrency.sqlite3"
    original.ensure_connection()
    copy = sqlite3.connect(path)
    original.connection.backup(copy)
    copy.close()
    connections.settings["default"] = {**original.settings_dict, "NAME": str(path)}
    connections["default"] = connections.create_connection("default")
    try:
        yield
    finally:
        connections["default"].close()
        connections.settings["default"] = original.settings_dict
        connections["default"] = original


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(database_on_file):
    organization = Organization.objects.create(name="Busy", slug="busy")
    threads, per_thread = 4, 10
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            start.wait(timeout=10)
            for i in range(per_thread):
                record_activity(
                    actor=None, action="note", obj=organization, message=f"writer {n} entry {i}"
                )
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []
    entries = chain_of(organization)
    assert [e.seq for e in entries] == list(range(1, threads * per_thread + 1))
    assert len({e.message for e in entries}) == threads * per_thread
    assert ActivityChainHead.objects.get(chain=f"org:{organization.pk}").seq == 40
    report = verify_log([f"org:{organization.pk}"])
    assert (report.ok, report.entries) == (True, 40)
