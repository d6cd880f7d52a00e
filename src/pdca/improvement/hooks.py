"""What corrective action asks higher apps, without importing them (see core.hooks).

A nonconformity opened by a linked certification body's finding (`pdca.engagements`) has no
audit of its own organization to count deadlines from: the body's review of the finding holds
them. `pdca.engagements` answers for those when it starts.
"""

from __future__ import annotations

from pdca.core.hooks import Hook

#: `(nonconformity) -> Deadlines | None`: the certification body's deadlines of a nonconformity
#: it raised across a link; None from a receiver that does not know it.
body_deadlines: Hook[..., object] = Hook(
    "improvement.body_deadlines",
    "A linked certification body's deadlines of the nonconformity its finding opened.",
)
