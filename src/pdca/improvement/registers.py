"""The nonconformity register, declared once (see `core.registers`)."""

from __future__ import annotations

from pdca.core.registers.spec import RegisterSpec
from pdca.improvement.models import Nonconformity

NONCONFORMITIES = RegisterSpec(
    model=Nonconformity,
    slug="nonconformities",
    namespace="improvement",
    fields=(
        "reference",
        "title",
        "description",
        "source",
        "severity",
        "status",
        "process",
        "site",
        "owner",
        "due_date",
        "requirements",
    ),
    columns=("reference", "title", "source", "severity", "status", "owner", "due_date"),
    filters=("source", "severity", "status", "owner", "process"),
    search=("reference", "title", "description"),
    ordering=("reference", "title", "due_date", "status"),
    clauses=("10.2",),
    intro=(
        "Nonconformities from every source (clause 10.2): audit findings open them for the "
        "auditee; each is triaged with a severity, owner and due date."
    ),
)

SPECS = (NONCONFORMITIES,)
