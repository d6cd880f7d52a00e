"""Hooks of this app that higher apps register into (see `core.hooks`).

`exercise_gap_found` is fired by this app's services, inside their transaction, with the row that
needs a nonconformity (its nullable `nonconformity` foreign key points to
`improvement.Nonconformity`) and the keyword arguments `actor`, `title`, `description`, and
optionally `site`, `process`, `requirements` and `severity`. Corrective action
(`improvement.origin_link`) opens the nonconformity and sets the row's `nonconformity`, in the
same transaction, and returns it.
"""

from __future__ import annotations

from pdca.core.hooks import Hook

exercise_gap_found: Hook[..., object] = Hook(
    "continuity.exercise_gap_found",
    "An exercise revealed a gap that needs corrective action: open a nonconformity for it.",
)
