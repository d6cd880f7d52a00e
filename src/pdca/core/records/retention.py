"""Retention periods: how long an organization keeps archived records of each type before
they may be disposed of (see `core.records`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from pdca.core.activity import record_activity
from pdca.core.exceptions import ValidationFailed
from pdca.core.models import RetentionPeriod
from pdca.core.permissions import require
from pdca.core.records.rules import DEFAULT_RETENTION_YEARS, RECORD_TYPE_LABELS

MAX_YEARS = 100


@dataclass(frozen=True)
class RetentionLine:
    record_type: str
    label: str
    years: int
    default_years: int

    @property
    def is_default(self) -> bool:
        return self.years == self.default_years


def retention_table(organization) -> list[RetentionLine]:
    """Every record type with the organization's period (its own, or the default)."""
    own = dict(
        RetentionPeriod.objects.filter(organization=organization).values_list(
            "record_type", "years"
        )
    )
    return [
        RetentionLine(kind, RECORD_TYPE_LABELS[kind], own.get(kind, default), default)
        for kind, default in DEFAULT_RETENTION_YEARS.items()
    ]


@transaction.atomic
def set_retention(organization, record_type: str, years: int, *, actor) -> RetentionLine:
    """Set how many years archived records of `record_type` are kept before disposal."""
    require(actor, "change", RetentionPeriod, organization=organization)
    if record_type not in DEFAULT_RETENTION_YEARS:
        known = ", ".join(DEFAULT_RETENTION_YEARS)
        raise ValidationFailed.single("record_type", f"Unknown record type; one of: {known}.")
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= MAX_YEARS:
        raise ValidationFailed.single(
            "years", f"Give a whole number of years from 1 to {MAX_YEARS}."
        )
    current = (
        RetentionPeriod.objects.select_for_update()
        .filter(organization=organization, record_type=record_type)
        .first()
    )
    before = current.years if current else DEFAULT_RETENTION_YEARS[record_type]
    if current is None:
        current = RetentionPeriod.objects.create(
            organization=organization, record_type=record_type, years=years
        )
    elif current.years != years:
        current.years = years
        current.save(update_fields=["years", "updated_at"])
    if before != years:
        record_activity(
            actor=actor,
            action="update",
            obj=current,
            organization=organization,
            changes={"years": [before, years]},
            message=f"Retention of {RECORD_TYPE_LABELS[record_type].lower()}",
        )
    default = DEFAULT_RETENTION_YEARS[record_type]
    return RetentionLine(record_type, RECORD_TYPE_LABELS[record_type], years, default)
