"""The demo organization's RACI matrix (the demo processes and responsibilities themselves
come from the register demo data).

Responsibilities are matched by words of their activity ("internal audit", "purchasing"...);
the first rule that matches gives the row its letters. Rows that match no rule, and rows that
already have letters (someone edited them), are left alone, so loading again changes nothing.
"""

from __future__ import annotations

from pdca.accounts.models import User
from pdca.system.models import RaciAssignment, Responsibility
from pdca.system.raci import services as raci
from pdca.tenancy.models import Organization

ORGANIZATION = "acme"
ACTOR = "quality@acme.example"

MD, QHSE, PROD, IT, SALES = (
    "Managing director",
    "QHSE manager",
    "Production manager",
    "IT manager",
    "Sales manager",
)

#: (words, any of which in the activity selects the rule; {role: letter}).
RULES: list[tuple[tuple[str, ...], dict[str, str]]] = [
    (
        ("polic", "objective", "management review"),
        {MD: "A", QHSE: "R", PROD: "C", IT: "C", SALES: "C"},
    ),
    (("audit",), {MD: "A", QHSE: "R", PROD: "C", IT: "C", SALES: "I"}),
    (("nonconform", "corrective", "complaint"), {QHSE: "A", PROD: "R", SALES: "C", MD: "I"}),
    (("risk", "opportunit"), {QHSE: "A", PROD: "R", IT: "R", MD: "C", SALES: "C"}),
    (("document", "record"), {QHSE: "A", IT: "R", PROD: "C"}),
    (
        ("access", "backup", "security", "incident", "information", " ai "),
        {MD: "A", IT: "R", QHSE: "C", PROD: "I"},
    ),
    (("training", "competence", "awareness"), {QHSE: "A", PROD: "R", MD: "I"}),
    (("purchas", "supplier", "provider"), {MD: "A", PROD: "R", QHSE: "C", SALES: "I"}),
    (("release parts", "release of parts", "inspection"), {QHSE: "A", PROD: "R", SALES: "I"}),
    (
        ("quote", "quotation", "order", "contract", "customer", "sales"),
        {MD: "A", SALES: "R", PROD: "C", QHSE: "I"},
    ),
    (
        ("production", "machining", "dispatch", "planning", "maintenance"),
        {MD: "A", PROD: "R", QHSE: "C", SALES: "I"},
    ),
    (
        ("legal", "compliance", "emergency", "hazard", "aspect", "environment", "safety"),
        {QHSE: "A", PROD: "R", MD: "I"},
    ),
]


def letters_for(activity: str) -> dict[str, str] | None:
    """The letters of the first rule whose words appear in `activity`, if any."""
    text = f" {activity.lower()} "
    for words, letters in RULES:
        if any(word in text for word in words):
            return letters
    return None


def load_raci(context: dict) -> int:
    """Fill the RACI cells of the demo organization's responsibilities; returns how many rows
    were filled."""
    organization = Organization.objects.filter(slug=ORGANIZATION).first()
    actor = User.objects.filter(email=ACTOR).first()
    if organization is None or actor is None:
        return 0
    filled = set(
        RaciAssignment.objects.filter(organization=organization).values_list(
            "responsibility_id", flat=True
        )
    )
    count = 0
    rows = Responsibility.objects.filter(organization=organization).select_related("organization")
    for responsibility in rows.order_by("activity"):
        letters = letters_for(responsibility.activity)
        if letters is None or responsibility.pk in filled:
            continue
        # A before the others, so that the row never holds two.
        for role, letter in sorted(letters.items(), key=lambda item: item[1] != "A"):
            raci.set_assignment(responsibility, party_role=role, letter=letter, actor=actor)
        count += 1
    context["raci_rows"] = count
    return count


def load(context: dict) -> None:
    """The demo's part of this module: the RACI matrix (idempotent)."""
    load_raci(context)
