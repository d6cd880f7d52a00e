"""What every OSCAL document we write shares: deterministic UUIDs, metadata, props, and the
control ids derived from requirement numbers."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

from django.utils import timezone

#: The OSCAL version of the models we write (compliance-trestle's `OSCAL_VERSION`; a test
#: keeps the two equal).
OSCAL_VERSION = "1.2.1"
#: The namespace of pdca's own props (`ns` of every prop OSCAL does not define).
NS = "https://pdca.example/ns/oscal"
#: The namespace of pdca's deterministic UUIDs: uuid5 over it and a record's identity, so a
#: document exported twice differs only in its timestamps.
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)

JSON = dict[str, Any]

_TOKEN_CHARS = re.compile(r"[^A-Za-z0-9._-]+")


def oscal_uuid(*identity: object) -> str:
    """The UUID of a record in our documents: the same record always gets the same one."""
    return str(uuid.uuid5(UUID_NAMESPACE, "/".join(str(part) for part in identity)))


def control_id(number: str) -> str:
    """A valid OSCAL token for a requirement number: `A.5.1` is `a.5.1`, clause `4.1` is
    `c.4.1` (a token starts with a letter)."""
    token = _TOKEN_CHARS.sub("-", number.strip()).lower()
    return token if token[:1].isalpha() else f"c.{token}"


def group_id(code: str) -> str:
    """The OSCAL id of a requirement group: its code as a token, prefixed `g.` so that it
    never collides with a control's id."""
    return f"g.{_TOKEN_CHARS.sub('-', code.strip()).lower()}"


def prop(name: str, value: object, *, ns: str | None = NS, cls: str | None = None) -> JSON:
    """An OSCAL property (ours carry our namespace; pass `ns=None` for one OSCAL defines)."""
    out: JSON = {"name": name, "value": str(value)}
    if ns:
        out["ns"] = ns
    if cls:
        out["class"] = cls
    return out


def timestamp(value: dt.datetime | dt.date | None = None) -> str:
    """An OSCAL date-time with its time zone (now when no value is given)."""
    if value is None:
        value = timezone.now()
    elif not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time(0), tzinfo=dt.UTC)
    elif timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value.isoformat(timespec="seconds")


def party(kind: str, key: object, name: str, email: str = "") -> JSON:
    """A party (person or organization) named in the metadata."""
    out: JSON = {"uuid": oscal_uuid("party", kind, key), "type": kind, "name": name or str(key)}
    if email:
        out["email-addresses"] = [email]
    return out


def metadata(
    title: str,
    version: str,
    *,
    props: list[JSON] | None = None,
    parties: list[JSON] | None = None,
    roles: list[JSON] | None = None,
    responsible: list[JSON] | None = None,
) -> JSON:
    """The metadata block: title, last-modified now, our version and OSCAL's."""
    out: JSON = {
        "title": title,
        "last-modified": timestamp(),
        "version": version or "1",
        "oscal-version": OSCAL_VERSION,
    }
    if props:
        out["props"] = props
    if roles:
        out["roles"] = roles
    if parties:
        out["parties"] = parties
    if responsible:
        out["responsible-parties"] = responsible
    return out


def document(root: str, body: JSON) -> JSON:
    """A whole OSCAL document: one root key (`catalog`, `assessment-results`…)."""
    return {root: body}


def filename(root: str, name: str) -> str:
    """The download's file name: `catalog-iso27001-2022.json`."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "export"
    return f"{root}-{safe}.json"
