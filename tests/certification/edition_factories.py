"""Test data of the edition tests: an old edition (with a 2024 amendment) and the new edition
replacing it, made here so that the tests depend on no shipped catalog file, and a certified
cycle with its certificate and programme, made directly (fast, no activity-log entries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from pdca.certification.models import Certificate, CertificationCycle, CycleAudit
from pdca.certification.services import dates
from pdca.standards.models import Standard
from tests.certification import certificate_factories as f

TODAY = timezone.localdate()
OLD = "iso99001-2015"
NEW = "iso99001-2026"
OLD_NAME = "ISO 99001:2015+A1:2024"
NEW_NAME = "ISO 99001:2026"


def editions(
    *,
    ends: dt.date | None = None,
    new_until: dt.date | None = None,
    provisional: bool = True,
    **fields: Any,
) -> tuple[Standard, Standard]:
    """ISO 99001:2015+A1:2024 and ISO 99001:2026, which replaces it; the transition ends in
    `ends` (default: 400 days from today), new certificates to the old edition until
    `new_until` (default: 200 days from today)."""
    old = Standard.objects.create(
        code=OLD,
        name="ISO 99001",
        title="Test management systems: requirements",
        edition="2015",
        discipline=Standard.Discipline.QUALITY,
        structure="hs",
        amendments=[
            {
                "code": "A1:2024",
                "title": "Climate action changes",
                "published": "2024-02-23",
                "summary": "Climate change in 4.1 and 4.2.",
            }
        ],
    )
    new = Standard.objects.create(
        code=NEW,
        name="ISO 99001",
        title="Test management systems: requirements",
        edition="2026",
        discipline=Standard.Discipline.QUALITY,
        structure="hs",
        replaces=old,
        transition_ends=ends or TODAY + dt.timedelta(days=400),
        new_certificates_until=new_until or TODAY + dt.timedelta(days=200),
        transition_provisional=provisional,
        transition_note="Three years from publication.",
        **fields,
    )
    old.refresh_from_db()
    return old, new


def certified(
    cb: Any, *, decided: dt.date | None = None, codes: tuple[str, ...] = (OLD,), **kwargs: Any
) -> tuple[Certificate, CertificationCycle]:
    """A certificate to `codes` and its certified cycle, with surveillance 1 and 2 and the
    recertification planned from the decision (`decided`, default 100 days ago)."""
    decided = decided or TODAY - dt.timedelta(days=100)
    cert = f.certificate(cb, codes=codes, issued_on=decided, **kwargs)
    cycle = cert.cycle
    cycle.status = CertificationCycle.Status.CERTIFIED
    cycle.decision_date = decided
    cycle.expiry_date = cert.expires_on
    cycle.save()
    planned = dates.programme_dates(decided)
    for kind, sequence, key in (
        (CycleAudit.Kind.SURVEILLANCE, 1, "surveillance_1"),
        (CycleAudit.Kind.SURVEILLANCE, 2, "surveillance_2"),
        (CycleAudit.Kind.RECERTIFICATION, 1, "recertification"),
    ):
        CycleAudit.objects.create(
            organization=cb, cycle=cycle, kind=kind, sequence=sequence, due_date=planned[key]
        )
    return cert, cycle


def programme_audit(cycle: CertificationCycle, kind: str, sequence: int = 1) -> CycleAudit:
    return CycleAudit.objects.get(cycle=cycle, kind=kind, sequence=sequence)
