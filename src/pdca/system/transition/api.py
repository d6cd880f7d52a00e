"""API of a system's move to a new edition: the next editions and the moves done, the preview,
the move itself, and the transition plan. Thin endpoints over `system.transition.services`."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from pdca.core.api import responses
from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import require
from pdca.standards.models import Standard
from pdca.system.api import _system
from pdca.system.models import SystemTransition
from pdca.system.transition.services import (
    next_editions,
    preview_transition,
    transition_plan,
    transition_system,
)
from pdca.system.transition.types import Section

router = Router(tags=["systems"])


class TransitionEditionOut(Schema):
    code: str
    full_name: str = Field(description="Name and edition with its amendments")
    provisional: bool = Field(description="The catalog is not yet verified against the standard")


class TransitionNextEditionOut(Schema):
    current: TransitionEditionOut
    next: TransitionEditionOut
    transition_ends: dt.date | None = Field(description="Certificates to the current edition end")
    new_certificates_until: dt.date | None
    dates_provisional: bool


class TransitionSectionCountsOut(Schema):
    key: str
    title: str
    counts: dict[str, int] = Field(description="Moves per outcome: carried, reopened, opened, kept")


class SystemTransitionOut(Schema):
    id: int
    old_standard: str = Field(alias="old_standard.code")
    new_standard: str = Field(alias="new_standard.code")
    done_on: dt.date
    done_by: str | None = Field(None, alias="done_by.email")
    summary: list[TransitionSectionCountsOut]


class TransitionsOut(Schema):
    next_editions: list[TransitionNextEditionOut]
    done: list[SystemTransitionOut]


class TransitionMoveOut(Schema):
    subject: str
    old: str
    new: str
    change: str
    outcome: str
    note: str
    owner: str


class TransitionPreviewSectionOut(Schema):
    key: str
    title: str
    explanation: str
    counts: dict[str, int]
    moves: list[TransitionMoveOut]


class TransitionPreviewOut(Schema):
    old_standard: str
    new_standard: str
    sections: list[TransitionPreviewSectionOut]


class TransitionCreate(Schema):
    to: str = Field(max_length=60, description="The new edition's code, e.g. iso9001-2026")


class TransitionPlanGapOut(Schema):
    number: str
    title: str
    change: str
    note: str
    provisional: bool
    status: str | None = Field(description="The open gap item's status; null without one")
    owner: str | None = Field(description="E-mail of the gap item's owner")
    target_date: dt.date | None


class TransitionPlanOut(Schema):
    old_standard: str
    new_standard: str
    done_on: dt.date
    transition_ends: dt.date | None
    dates_provisional: bool
    readiness_percent: float | None
    gaps: list[TransitionPlanGapOut]


def _edition(standard: Standard) -> dict:
    return {
        "code": standard.code,
        "full_name": standard.full_name,
        "provisional": standard.provisional,
    }


def _section(section: Section) -> dict:
    return {
        "key": section.key,
        "title": section.title,
        "explanation": section.explanation,
        "counts": section.counts,
        "moves": [m.__dict__ for m in section.moves],
    }


def _new(code: str) -> Standard:
    return get_object_or_404(Standard.objects.select_related("replaces"), code=code)


@router.get("/systems/{system_id}/transitions/", response=responses(TransitionsOut))
def list_transitions(request, system_id: int):
    """The next edition of each adopted standard the catalog has, and the moves already done."""
    system = _system(request, system_id)
    return {
        "next_editions": [
            {
                "current": _edition(old),
                "next": _edition(new),
                "transition_ends": new.transition_ends,
                "new_certificates_until": new.new_certificates_until,
                "dates_provisional": new.transition_provisional,
            }
            for old, new in next_editions(system)
        ],
        "done": list(
            SystemTransition.objects.filter(system=system).select_related(
                "old_standard", "new_standard", "done_by"
            )
        ),
    }


@router.get("/systems/{system_id}/transitions/preview/", response=responses(TransitionPreviewOut))
def preview(request, system_id: int, to: str):
    """What moving to `to` would carry, register by register; nothing is written (system
    managers only: 403 for other members)."""
    system = _system(request, system_id)
    preview = preview_transition(system, _new(to), actor=request.auth)
    return {
        "old_standard": preview.old.code,
        "new_standard": preview.new.code,
        "sections": [_section(s) for s in preview.sections],
    }


@router.post("/systems/{system_id}/transitions/", response=responses(SystemTransitionOut, 201))
def create_transition(request, system_id: int, payload: TransitionCreate):
    """Adopt the new edition, retire the one it replaces and carry every register across, in
    one step (409 when already done)."""
    system = _system(request, system_id)
    require(request.auth, "change", system)
    new = Standard.objects.filter(code=payload.to).first()
    if new is None:
        raise ValidationFailed.single("to", f"No standard {payload.to!r} in the catalog.")
    return Status(201, transition_system(system, new, actor=request.auth))


@router.get("/systems/{system_id}/transitions/{code}/plan/", response=responses(TransitionPlanOut))
def get_transition_plan(request, system_id: int, code: str):
    """After the move: what is new, who owns each gap, readiness for the new edition and the
    deadline."""
    system = _system(request, system_id)
    new = _new(code)
    found = transition_plan(system, new)
    assert new.replaces is not None  # transition_plan refuses an edition that replaces none
    return {
        "old_standard": new.replaces.code,
        "new_standard": new.code,
        "done_on": found.done.done_on,
        "transition_ends": new.transition_ends,
        "dates_provisional": new.transition_provisional,
        "readiness_percent": found.readiness_percent,
        "gaps": [
            {
                "number": g["line"].new.number,
                "title": g["line"].new.title,
                "change": g["line"].change,
                "note": g["line"].note,
                "provisional": g["line"].new.provisional,
                "status": g["status_code"] or None,
                "owner": g["owner_email"] or None,
                "target_date": g["target_date"],
            }
            for g in found.gaps
        ],
    }
