"""Transition training: what an auditor needs before auditing a new edition of a standard
(ISO 14001:2026 after ISO 14001:2015; reference 8). It is a training record of kind
`transition` whose `standard` is the new edition (one that replaces an earlier one in the
catalog), passed or attended, and not expired on the day of the audit. A certification body's
team selection reads it (`pdca.certification.services.impartiality`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.registers.services import create_entry
from pdca.people.models import TrainingRecord
from pdca.people.registers import RECORDS
from pdca.standards.models import Standard
from pdca.tenancy.models import Membership

Kind = TrainingRecord.Kind
Result = TrainingRecord.Result
#: Results that count as trained.
COUNTS = (Result.PASSED, Result.ATTENDED)


def new_editions() -> list[Standard]:
    """The editions transition training is recorded for: those replacing an earlier one."""
    return list(
        Standard.objects.filter(replaces__isnull=False)
        .select_related("replaces")
        .order_by("name", "edition")
    )


def trained_for(
    organization_id: int, person_ids: Iterable[int], standard_ids: Iterable[int], on: dt.date
) -> dict[int, set[int]]:
    """{person id: ids of the new editions they hold valid transition training for on `on`}
    (one query, whatever the number of people)."""
    people, editions = list(person_ids), list(standard_ids)
    found: dict[int, set[int]] = defaultdict(set)
    if not people or not editions:
        return found
    rows = TrainingRecord.objects.filter(
        organization_id=organization_id,
        kind=Kind.TRANSITION,
        person_id__in=people,
        standard_id__in=editions,
        result__in=COUNTS,
        archived_at__isnull=True,
    ).filter(
        Q(completed_on__isnull=True) | Q(completed_on__lte=on),
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
    )
    for person_id, standard_id in rows.values_list("person_id", "standard_id"):
        assert standard_id is not None
        found[person_id].add(standard_id)
    return found


@transaction.atomic
def record_transition_training(
    organization: Any,
    *,
    actor: Any,
    person: Any,
    standard: Standard | str | None,
    completed_on: dt.date | None,
    provider: str = "",
    title: str = "",
    hours: Decimal | None = None,
    result: str = Result.PASSED,
    certificate_number: str = "",
    notes: str = "",
) -> TrainingRecord:
    """Record that `person` (a member of `organization`) took the transition training for the
    new edition `standard` (a Standard or its code), through the training-record register, so
    its permission, validation and activity-log entry apply."""
    errors: list[FieldError] = []
    edition: Standard | None
    if isinstance(standard, Standard):
        edition = standard
    else:
        edition = Standard.objects.filter(code=(standard or "").strip()).first()
        if edition is None:
            errors.append(
                FieldError(
                    "standard", f"No standard {standard!r} in the catalog.", "unknown_standard"
                )
            )
    membership = (
        Membership.objects.filter(organization=organization, user_id=getattr(person, "pk", person))
        .select_related("user")
        .first()
        if person is not None
        else None
    )
    if membership is None:
        errors.append(FieldError("person", "Not a member of this organization.", "not_a_member"))
    if result not in COUNTS:
        errors.append(FieldError("result", "Passed or attended.", "invalid"))
    if errors:
        raise ValidationFailed(errors)
    assert edition is not None and membership is not None
    record: TrainingRecord = create_entry(
        RECORDS,
        organization,
        actor=actor,
        person=membership.user,
        kind=Kind.TRANSITION,
        title=(title or f"Transition training: {edition.full_name}")[:200],
        standard=edition,
        provider=provider,
        completed_on=completed_on,
        hours=hours,
        result=result,
        certificate_number=certificate_number,
        notes=notes,
    )
    return record
