"""Hooks of this app that higher apps register into (see `core.hooks`).

`control_failed` is fired by this app's services, inside their transaction, with the row that
needs a nonconformity (its nullable `nonconformity` foreign key points to
`improvement.Nonconformity`) and the keyword arguments `actor`, `title`, `description`, and
optionally `site`, `process`, `requirements` and `severity`. Corrective action
(`improvement.origin_link`) opens the nonconformity and sets the row's `nonconformity`, in the
same transaction, and returns it.
"""

from __future__ import annotations

from pdca.core.hooks import Hook

control_failed: Hook[..., object] = Hook(
    "food.control_failed",
    "A prerequisite programme failed its verification, or a CCP or OPRP was out of its "
    "limits or criteria: open a nonconformity for it.",
)
