"""Pages of a system's move to a new edition: the preview (what every register would carry,
and the button that carries it), then the transition plan (what is new, who owns each gap,
readiness for the new edition, the deadline)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from pdca.core.exceptions import ServiceError
from pdca.core.views import member_required
from pdca.standards.models import Standard
from pdca.system.transition.services import (
    preview_transition,
    transition_of,
    transition_plan,
    transition_system,
)
from pdca.system.transition.types import OUTCOME_LABELS
from pdca.system.views import _system


def _new(code: str) -> Standard:
    new = Standard.objects.select_related("replaces").filter(code=code).first()
    if new is None or new.replaces is None:
        raise Http404("No such edition")
    return new


@member_required
@require_http_methods(["GET", "POST"])
def transition(request, pk: int, code: str):
    """GET: the preview, or the plan once the system has moved. POST: carry it across."""
    system = _system(request, pk)
    new = _new(code)
    done = transition_of(system, new)
    if done is not None:
        return plan(request, system, new)
    # Before the move, only those who may change the system see the preview (403 otherwise).
    system = _system(request, pk, "change")
    if request.method == "POST":
        try:
            transition_system(system, new, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{system} now follows {new.full_name}.")
        return redirect("system:transition", pk=system.pk, code=new.code)
    try:
        preview = preview_transition(system, new, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("system:system_detail", pk=system.pk)
    return render(
        request,
        "system/transition_preview.html",
        {"system": system, "preview": preview, "new": new, "outcomes": OUTCOME_LABELS},
    )


def plan(request, system, new: Standard):
    found = transition_plan(system, new)
    return render(
        request,
        "system/transition_plan.html",
        {
            "system": system,
            "new": new,
            "old": new.replaces,
            "done": found.done,
            "gaps": found.gaps,
            "open_gaps": len(found.open_gaps),
            "owners": found.owners,
            "readiness_percent": found.readiness_percent,
            "outcomes": OUTCOME_LABELS,
            "summary": [
                {"title": row["title"], "cells": [row["counts"].get(k, 0) for k in OUTCOME_LABELS]}
                for row in found.done.summary
            ],
        },
    )
