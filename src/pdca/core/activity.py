"""The activity log: recording changes in a hash chain, and verifying the chain.

Services call `record_activity` inside their own transaction, so an entry exists exactly when
its change was committed. The chain head row is locked first (a row lock on PostgreSQL; SQLite
runs every transaction IMMEDIATE), which serializes writers of one organization.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import math
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from pdca.core.context import current_channel
from pdca.core.models import GENESIS_HASH, ActivityChainHead, ActivityEntry

PLATFORM_CHAIN = "platform"


def chain_name(organization_id: int | None) -> str:
    return f"org:{organization_id}" if organization_id else PLATFORM_CHAIN


def jsonable(value: Any) -> Any:
    """A JSON value that reads back identically from every database we support."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        # PostgreSQL's jsonb keeps numbers as decimals: it reads 1e16 back as the integer
        # 10000000000000000 and -0.0 as 0.0, and refuses NaN and infinity. Store what it returns,
        # or the entry's hash would no longer match its content once read back.
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)
        return 0.0 if value == 0 else value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return (
            value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
        )
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def tracked_fields(instance: models.Model) -> list[models.Field]:
    excluded = {"id", "created_at", "updated_at", "organization", "password"}
    # Archiving is recorded by its own entries (who, when, why), not as a field change.
    excluded.update(("archived_at", "archived_by", "archive_reason"))
    excluded.update(getattr(instance, "activity_exclude", ()))
    return [
        f for f in instance._meta.concrete_fields if f.name not in excluded and not f.primary_key
    ]


def snapshot(instance: models.Model) -> dict[str, Any]:
    """The tracked field values of `instance`, foreign keys as primary keys."""
    return {f.name: jsonable(getattr(instance, f.attname)) for f in tracked_fields(instance)}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as {field: [before, after]}."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def canonical(content: dict[str, Any] | list[Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_content(entry: ActivityEntry) -> dict[str, Any]:
    """What an entry's hash covers: everything but its own hash and its row id."""
    return {
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
        "created_at": jsonable(entry.created_at),
    }


def compute_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


def _locked_head(chain: str) -> ActivityChainHead:
    try:
        return ActivityChainHead.objects.select_for_update().get(chain=chain)
    except ActivityChainHead.DoesNotExist:
        try:
            with transaction.atomic():
                ActivityChainHead.objects.create(chain=chain)
        except IntegrityError:
            pass  # another writer created it first; its row lock is what we wait for next
        return ActivityChainHead.objects.select_for_update().get(chain=chain)


def object_label(obj: models.Model) -> str:
    return obj._meta.label_lower


@transaction.atomic
def record_activity(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    organization=None,
    message: str = "",
) -> ActivityEntry:
    """Append one entry to the organization's chain (the platform chain when there is none)."""
    if organization is None:
        organization = getattr(obj, "organization", None)
    organization_id = getattr(organization, "pk", organization)
    chain = chain_name(organization_id)
    head = _locked_head(chain)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    entry = ActivityEntry(
        chain=chain,
        seq=head.seq + 1,
        organization_id=organization_id,
        actor=actor_obj,
        actor_label=actor_obj.email if actor_obj else "system",
        via=current_channel(),
        action=action,
        object_type=object_label(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=jsonable(changes or {}),
        message=message,
        created_at=timezone.now(),
        prev_hash=head.hash,
    )
    entry.hash = compute_hash(head.hash, entry_content(entry))
    entry.save(force_insert=True)
    head.seq = entry.seq
    head.hash = entry.hash
    head.save(update_fields=["seq", "hash"])
    return entry


def record_create(*, actor, obj: models.Model, message: str = "") -> ActivityEntry:
    changes = {k: [None, v] for k, v in snapshot(obj).items() if v not in (None, "", [], {})}
    return record_activity(actor=actor, action="create", obj=obj, changes=changes, message=message)


def record_update(
    *, actor, obj: models.Model, before: dict[str, Any], action: str = "update", message: str = ""
) -> ActivityEntry | None:
    """Record the fields that changed since `before`; nothing is written when none did."""
    changes = diff(before, snapshot(obj))
    if not changes and not message:
        return None
    return record_activity(actor=actor, action=action, obj=obj, changes=changes, message=message)


def record_delete(*, actor, obj: models.Model, message: str = "") -> ActivityEntry:
    changes = {k: [v, None] for k, v in snapshot(obj).items() if v not in (None, "", [], {})}
    return record_activity(actor=actor, action="delete", obj=obj, changes=changes, message=message)


@dataclass(frozen=True)
class ChainProblem:
    """The first point where one chain no longer verifies."""

    chain: str
    seq: int
    entry_id: int | None
    kind: str  # altered | removed | inserted | truncated
    message: str


@dataclass(frozen=True)
class ChainReport:
    chains: int
    entries: int
    problems: list[ChainProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _entries(chain: str) -> Iterator[ActivityEntry]:
    return ActivityEntry.objects.filter(chain=chain).order_by("seq").iterator(chunk_size=2000)


def verify_chain(chain: str, head: ActivityChainHead | None) -> tuple[int, ChainProblem | None]:
    """Walk one chain from its start; return the entries read and the first problem, if any.

    `head` must be read before the walk: entries are only ever added, so an entry the head
    knows of and the walk does not find was removed, while entries past the head may be
    writes that committed during the walk (checked against the head as it is afterwards).
    """
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    at_head: ActivityEntry | None = None
    for entry in _entries(chain):
        count += 1
        if entry.seq != expected_seq:
            kind = "removed" if entry.seq > expected_seq else "inserted"
            return count, ChainProblem(
                chain,
                expected_seq,
                entry.pk,
                kind,
                f"entry {expected_seq} is missing: the chain jumps from {expected_seq - 1} "
                f"to {entry.seq}",
            )
        if entry.prev_hash != prev_hash:
            return count, ChainProblem(
                chain,
                entry.seq,
                entry.pk,
                "inserted",
                f"entry {entry.seq} does not link to entry {entry.seq - 1}: an entry before it "
                "was replaced, removed or inserted",
            )
        if compute_hash(entry.prev_hash, entry_content(entry)) != entry.hash:
            return count, ChainProblem(
                chain,
                entry.seq,
                entry.pk,
                "altered",
                f"entry {entry.seq} was altered: its content no longer matches its hash",
            )
        if head is not None and entry.seq == head.seq:
            at_head = entry
        prev_hash = entry.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    head_seq = head.seq if head is not None else 0
    if head_seq > last_seq:
        return count, ChainProblem(
            chain,
            last_seq + 1,
            None,
            "removed",
            f"the chain ends at entry {last_seq} but its head records entry {head_seq}: "
            "entries were removed from the end",
        )
    if head is not None and at_head is not None and at_head.hash != head.hash:
        return count, ChainProblem(
            chain,
            head.seq,
            at_head.pk,
            "altered",
            f"entry {head.seq} is not the one its chain head records: it was replaced",
        )
    if head_seq < last_seq:
        now = ActivityChainHead.objects.filter(chain=chain).values_list("seq", flat=True).first()
        if now is None:
            return count, ChainProblem(
                chain,
                last_seq,
                None,
                "removed",
                f"the chain has {last_seq} entries but no head: its head row was deleted",
            )
        if now < last_seq:
            return count, ChainProblem(
                chain,
                now + 1,
                None,
                "inserted",
                f"the chain ends at entry {last_seq} but its head records entry {now}: "
                "entries were added after the head",
            )
    return count, None


def verify_log(chains: Iterable[str] | None = None, progress=None) -> ChainReport:
    """Verify every chain (or the named ones); `progress(chain)` is called before each."""
    heads = {h.chain: h for h in ActivityChainHead.objects.all()}
    names = (
        set(chains)
        if chains is not None
        else set(heads) | set(ActivityEntry.objects.values_list("chain", flat=True).distinct())
    )
    problems: list[ChainProblem] = []
    total = 0
    for name in sorted(names):
        if progress:
            progress(name)
        count, problem = verify_chain(name, heads.get(name))
        total += count
        if problem:
            problems.append(problem)
    return ChainReport(chains=len(names), entries=total, problems=problems)
