"""Writes on training records beyond the register's own: evaluating whether a training was
effective (7.2 c)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.permissions import require
from pdca.people.models import TrainingRecord

Effectiveness = TrainingRecord.Effectiveness


@transaction.atomic
def evaluate_training(
    record: TrainingRecord, *, actor, effectiveness: str, notes: str
) -> TrainingRecord:
    """Record whether the training achieved what it was for, by whom and when."""
    require(actor, "evaluate", record)
    record = lock_for_update(record, check=False)
    if record.result == TrainingRecord.Result.PLANNED:
        raise Conflict("A planned training cannot be evaluated yet.", code="not_completed")
    if effectiveness not in (Effectiveness.EFFECTIVE, Effectiveness.NOT_EFFECTIVE):
        raise ValidationFailed.single("effectiveness", "Effective or not effective.")
    if not notes.strip():
        raise ValidationFailed.single(
            "effectiveness_notes", "Say how it was evaluated.", "required"
        )
    record.effectiveness = effectiveness
    record.effectiveness_notes = notes.strip()[:5000]
    record.evaluated_by = actor
    record.evaluated_on = timezone.localdate()
    record.save(
        update_fields=[
            "effectiveness",
            "effectiveness_notes",
            "evaluated_by",
            "evaluated_on",
            "updated_at",
        ]
    )
    record_activity(
        actor=actor,
        action="evaluate",
        obj=record,
        changes={"effectiveness": effectiveness},
    )
    return record
