"""Edits that never lose anyone's change: row locks, versions and preconditions.

Every update service works the same way (see docs/concurrency.md):

1. `lock_for_update(obj)` re-reads the row under a row lock (``SELECT … FOR UPDATE`` on
   PostgreSQL; SQLite runs every transaction IMMEDIATE, which serializes writers anyway) inside
   the service's transaction and refreshes `obj` from it, so the rules and the activity log's
   before-values see the stored values, not the ones the caller read earlier. When the client
   said which version its change is based on (`If-Match` in the API, the `_version` field of a
   page) and the row has changed since, it raises `PreconditionFailed` naming the fields that
   changed, by whom and when, and nothing is written.
2. The service changes the fields it means to change, then `save_changed(obj)` writes only the
   fields that differ from the locked row (and `updated_at`), so two writers of different
   fields never undo each other.

The version of a row is its `updated_at` (bumped by every save, so a workflow step also makes
older versions stale); a model without one is versioned by a digest of its field values.
`etag_for(obj)` names the object and its version: ``"assessments.gapitem-12-1733456789123456"``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from django.db import models, transaction
from django.db.models.fields.mixins import FieldCacheMixin
from django.utils import timezone

from pdca.core.exceptions import ServiceError

#: The POST field pages send their version in.
VERSION_FIELD = "_version"

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_M = TypeVar("_M", bound=models.Model)
_NOT_VERSIONED = frozenset({"last_login"})


class PreconditionFailed(ServiceError):
    """The change was based on a version of the record that is no longer current."""

    code = "stale_version"
    status = 412
    title = "Changed by someone else"

    def __init__(
        self,
        message: str,
        *,
        changes: list[dict[str, Any]] | None = None,
        current: str = "",
    ) -> None:
        super().__init__(message)
        #: [{"fields": [...], "by": "ann@…", "at": datetime, "action": "update"}, …] oldest first
        self.changes = changes or []
        #: The current ETag of the record.
        self.current = current


# --- versions -------------------------------------------------------------------------------


def _has_updated_at(model: type[models.Model]) -> bool:
    try:
        model._meta.get_field("updated_at")
    except Exception:
        return False
    return True


def version_of(obj: models.Model) -> str:
    """The version of `obj` as it was read: its `updated_at` in microseconds since 1970."""
    if _has_updated_at(type(obj)):
        stamp = getattr(obj, "updated_at", None)
        if stamp is None:
            return "0"
        if timezone.is_naive(stamp):
            stamp = timezone.make_aware(stamp, dt.UTC)
        return str((stamp - _EPOCH) // dt.timedelta(microseconds=1))
    from pdca.core.activity import canonical, snapshot

    # Bookkeeping a person does not edit (a sign-in) is no change of what they edit.
    values = {k: v for k, v in snapshot(obj).items() if k not in _NOT_VERSIONED}
    return hashlib.sha256(canonical(values).encode()).hexdigest()[:16]


def object_key(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}-{obj.pk}"


def etag_for(obj: models.Model) -> str:
    """The ETag of `obj`: a quoted, opaque string naming the object and its version."""
    return f'"{object_key(obj)}-{version_of(obj)}"'


def version_token(obj: models.Model) -> str:
    """What a page puts in its hidden `_version` field (the ETag without its quotes)."""
    return etag_for(obj).strip('"')


def page_version(obj: models.Model) -> str:
    """The version a page shows `obj` at: the current one after this request's change of it
    was refused as stale (the page may hold an older copy), otherwise `obj`'s own."""
    state = _precondition.get()
    if state is not None:
        refused = state.refused.get(object_key(obj))
        if refused:
            return refused
    return version_token(obj)


def parse_tags(value: str) -> tuple[dict[str, str], bool] | None:
    """The {object key: version} an `If-Match` value (or a `_version` field) names, and whether
    it is `*`; None when it holds something that is not one of our ETags."""
    tags: dict[str, str] = {}
    anything = False
    for raw in value.split(","):
        tag = raw.strip()
        if not tag:
            continue
        if tag == "*":
            anything = True
            continue
        if tag.startswith("W/"):
            tag = tag[2:]
        tag = tag.strip('"')
        parts = tag.rsplit("-", 2)
        if len(parts) != 3 or not parts[0] or not parts[1] or not parts[2]:
            return None
        tags[f"{parts[0]}-{parts[1]}"] = parts[2]
    return tags, anything


# --- the precondition of the current request ------------------------------------------------


@dataclass
class Precondition:
    """The versions the client based its change on (by object key), for one request."""

    tags: dict[str, str] = field(default_factory=dict)
    anything: bool = False
    #: Objects whose version was already checked in this request: the request's own earlier
    #: writes make them newer, which is no conflict.
    checked: set[str] = field(default_factory=set)
    #: The ETag to announce on the response (the object a GET read or a write changed).
    etag: str = ""
    #: The current version of each object whose precondition failed: a page shown again after
    #: the refusal carries it, so that saving again is a deliberate overwrite.
    refused: dict[str, str] = field(default_factory=dict)
    #: For a page's `_version` (not an API `If-Match`): who is saving. A page that autosaves
    #: field by field sends its next save before the answer to the previous one arrives; the
    #: changes made since its version by that same person are then their own, not a conflict.
    own_changes_by: Callable[[], str] | None = None


_precondition: ContextVar[Precondition | None] = ContextVar("pdca_precondition", default=None)


@contextlib.contextmanager
def precondition(value: str | None = None) -> Iterator[Precondition]:
    """Run a block (one request) with the client's precondition: `value` is an `If-Match`
    header or a page's `_version` field. Raises ValueError when it is not one of our ETags."""
    state = Precondition()
    if value:
        parsed = parse_tags(value)
        if parsed is None:
            raise ValueError(value)
        state.tags, state.anything = parsed
    token = _precondition.set(state)
    try:
        yield state
    finally:
        _precondition.reset(token)


def current_precondition() -> Precondition | None:
    return _precondition.get()


@overload
def announce(obj: _M) -> _M: ...
@overload
def announce(obj: None) -> None: ...
def announce(obj: _M | None) -> _M | None:
    """Send `obj`'s ETag with the current response (API reads and writes call this)."""
    state = _precondition.get()
    if state is not None and isinstance(obj, models.Model) and obj.pk is not None:
        state.etag = etag_for(obj)
    return obj


# --- locking and saving ---------------------------------------------------------------------


def _values(obj: models.Model) -> dict[str, Any]:
    """The field values of `obj`; JSON values copied, since services change them in place."""
    values = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        values[f.attname] = copy.deepcopy(value) if isinstance(value, dict | list) else value
    return values


def _refresh(obj: models.Model, fresh: models.Model) -> None:
    for f in obj._meta.concrete_fields:
        new = getattr(fresh, f.attname)
        # A related object read earlier is dropped when the row now points elsewhere.
        if (
            isinstance(f, FieldCacheMixin)
            and obj.__dict__.get(f.attname) != new
            and f.is_cached(obj)
        ):
            f.delete_cached_value(obj)
        setattr(obj, f.attname, new)


def lock_for_update(obj: _M, *, check: bool = True) -> _M:
    """Lock `obj`'s row for the rest of the caller's transaction, refresh `obj` from it and
    refuse (PreconditionFailed) a change based on a stale version of it.

    `check=False` locks without the precondition (a row that the request changes only as a
    consequence, or a serializing lock such as an organization's row for a rule that spans
    rows)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_for_update must run inside the service's transaction")
    model = type(obj)
    fresh = model._base_manager.select_for_update().get(pk=obj.pk)
    _refresh(obj, fresh)
    obj._locked_values = _values(obj)  # type: ignore[attr-defined]
    if check:
        check_version(obj)
    return obj


def check_version(obj: models.Model) -> None:
    """Refuse a change of `obj` based on a version older than the stored one (no-op when the
    client sent none for this object). `obj` must hold the values read under the lock."""
    state = _precondition.get()
    if state is None:
        return
    key = object_key(obj)
    if key in state.checked or key not in state.tags:
        return
    state.checked.add(key)
    if state.tags[key] == version_of(obj):
        return
    if state.own_changes_by is not None:
        me = state.own_changes_by()
        changes = changes_since(obj, state.tags[key])
        if me and changes and all(change["by"] == me for change in changes):
            return
    state.etag = etag_for(obj)
    state.refused[key] = version_token(obj)
    raise stale(obj, state.tags[key])


def changed_fields(obj: models.Model) -> list[str]:
    """The names of the fields of `obj` that differ from the row read by `lock_for_update`."""
    locked = getattr(obj, "_locked_values", None)
    if locked is None:
        raise RuntimeError("changed_fields needs lock_for_update first")
    return [
        f.name
        for f in obj._meta.concrete_fields
        if f.name != "updated_at" and getattr(obj, f.attname) != locked.get(f.attname)
    ]


def save_changed(obj: models.Model, also: Iterable[str] = (), *, touch: bool = False) -> list[str]:
    """Write only the fields changed since `lock_for_update` (and `also`), with `updated_at`;
    `touch` bumps the version even when no field changed (a many-to-many change). Returns the
    names of the changed fields; writes nothing when there are none."""
    names = list(dict.fromkeys([*changed_fields(obj), *also]))
    if names or touch:
        update = list(names)
        if _has_updated_at(type(obj)):
            update.append("updated_at")
        if update:
            obj.save(update_fields=update)
        obj._locked_values = _values(obj)  # type: ignore[attr-defined]
    state = _precondition.get()
    if state is not None and not state.etag:
        announce(obj)  # the first record a request changes is the one it answers with
    return names


# --- the refusal ----------------------------------------------------------------------------


def _version_time(version: str) -> dt.datetime | None:
    try:
        return _EPOCH + dt.timedelta(microseconds=int(version))
    except (ValueError, OverflowError):
        return None


def changes_since(obj: models.Model, version: str) -> list[dict[str, Any]]:
    """The recorded changes of `obj` made after `version`, oldest first.

    A write saves the row (its new version) and then records its entry in the same
    transaction; the first entry after `version` is therefore the one of the write that made
    `version` itself (the client has seen it) when it is older than the row's current version.
    """
    from pdca.core.activity import object_label
    from pdca.core.models import ActivityEntry

    since = _version_time(version)
    current = _version_time(version_of(obj)) if _has_updated_at(type(obj)) else None
    entries = ActivityEntry.objects.filter(object_type=object_label(obj), object_id=str(obj.pk))
    if since is not None:
        entries = entries.filter(created_at__gte=since)
    rows = list(entries.order_by("created_at", "seq")[:50])
    if since is None:
        rows = rows[-1:]  # a version digest has no time: name the latest change
    elif rows and current is not None and rows[0].created_at < current:
        rows = rows[1:]
    return [
        {
            "fields": sorted((e.changes or {}).keys()),
            "by": e.actor_label or "system",
            "at": e.created_at,
            "action": e.action,
        }
        for e in rows
    ]


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def stale(obj: models.Model, version: str) -> PreconditionFailed:
    """The refusal of a change of `obj` based on `version`."""
    noun = str(obj._meta.verbose_name)
    changes = changes_since(obj, version)
    if changes:
        parts = []
        for change in changes:
            fields = ", ".join(change["fields"]) or "no field"
            what = fields if change["action"] == "update" else f"{change['action']} ({fields})"
            parts.append(f"{what} by {change['by']} at {_when(change['at'])}")
        detail = "; ".join(parts)
        message = (
            f"Someone else changed this {noun} since you loaded it: {detail}. "
            "Nothing was saved: reload it, then make your change again."
        )
    else:
        message = (
            f"This {noun} was changed since you loaded it. "
            "Nothing was saved: reload it, then make your change again."
        )
    return PreconditionFailed(message, changes=changes, current=etag_for(obj))


def serialize_on(model: type[models.Model], pk: Any) -> None:
    """Take the row lock of one row (an organization, a document, a RACI row) for the rest of
    the transaction, so that rules spanning several rows below it (the last manager, one
    accountable, one published version) are checked by one writer at a time."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("serialize_on must run inside the service's transaction")
    list(model._base_manager.select_for_update().filter(pk=pk).values_list("pk", flat=True))
