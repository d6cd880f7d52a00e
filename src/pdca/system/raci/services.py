"""The RACI matrix: who is Responsible, Accountable, Consulted and Informed for each
responsibility (an activity or decision), as cells of a grid.

A party is a named role ("Quality manager") or a person who is a member of the organization.
A responsibility has at most one accountable party (one A); a row without an R or without an A
is flagged as a problem. `set_assignment` writes one cell, `rename_role` renames a role
everywhere, `matrix` reads the grid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import cast

from django.db import transaction
from django.db.models import F, Q

from pdca.accounts.models import User
from pdca.core.activity import record_activity
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require, scope
from pdca.system.models import Process, RaciAssignment, Responsibility
from pdca.tenancy.models import Membership, Organization

LETTERS = tuple(RaciAssignment.Letter.values)
LETTER_LABELS = dict(RaciAssignment.Letter.choices)
#: A CharField's, so never None.
ROLE_MAX = cast(int, RaciAssignment._meta.get_field("role").max_length)
#: What a row is missing, by code.
PROBLEMS = {"no_r": "Nobody is responsible (no R)", "no_a": "Nobody is accountable (no A)"}


@dataclass(frozen=True)
class Party:
    """A column of the matrix: a named role, or a person."""

    role: str = ""
    user: User | None = None

    @property
    def key(self) -> str:
        """Stable text id of the party: `role:<name>` or `user:<id>`."""
        return f"user:{self.user.pk}" if self.user is not None else f"role:{self.role}"

    @property
    def is_person(self) -> bool:
        return self.user is not None

    @property
    def label(self) -> str:
        if self.user is None:
            return self.role
        return self.user.get_full_name() or self.user.email

    @property
    def log_label(self) -> str:
        """How the activity log names the party (a person with their e-mail, so that a role
        and a person of the same name cannot be mistaken for each other)."""
        return self.role if self.user is None else f"{self.label} <{self.user.email}>"

    def sort_key(self) -> tuple:
        return (1, self.label.lower(), self.user.pk) if self.user else (0, self.role.lower(), 0)


def party_of(assignment: RaciAssignment) -> Party:
    return Party(role=assignment.role, user=assignment.user if assignment.user_id else None)


@dataclass
class RaciRow:
    """One responsibility with its letters by party key, and what it lacks."""

    responsibility: Responsibility
    cells: dict[str, str] = field(default_factory=dict)
    #: (party, letter) for each column of the matrix, in column order ("" for an empty cell).
    line: list[tuple[Party, str]] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        letters = set(self.cells.values())
        return [code for code, letter in (("no_r", "R"), ("no_a", "A")) if letter not in letters]

    @property
    def problem_labels(self) -> list[str]:
        return [PROBLEMS[code] for code in self.problems]

    def accountable(self) -> str | None:
        return next((key for key, letter in self.cells.items() if letter == "A"), None)


@dataclass
class RaciMatrix:
    """The grid: rows are responsibilities, columns the parties in use (named roles first,
    then people)."""

    columns: list[Party]
    rows: list[RaciRow]

    @property
    def problem_count(self) -> int:
        return sum(1 for row in self.rows if row.problems)

    def letter(self, row: RaciRow, party: Party) -> str:
        return row.cells.get(party.key, "")


def matrix(
    organization: Organization,
    process: Process | None = None,
    *,
    user: User | None = None,
    extra_parties: Iterable[Party] = (),
) -> RaciMatrix:
    """The RACI grid of `organization` (of one `process` when given). With `user`, only the
    responsibilities they may see. `extra_parties` adds columns not in use yet (the page's
    "add column"). Two queries, whatever the number of rows and cells."""
    rows_qs = Responsibility.objects.filter(organization=organization).select_related("process")
    if user is not None:
        rows_qs = scope(rows_qs, user)
    if process is not None:
        rows_qs = rows_qs.filter(process=process)
    responsibilities = list(
        rows_qs.order_by(F("process__code").asc(nulls_last=True), "activity", "pk")
    )
    rows = {r.pk: RaciRow(r) for r in responsibilities}
    parties: dict[str, Party] = {p.key: p for p in extra_parties}
    assignments = RaciAssignment.objects.filter(
        organization=organization, responsibility_id__in=list(rows)
    ).select_related("user")
    for assignment in assignments:
        party = party_of(assignment)
        parties.setdefault(party.key, party)
        rows[assignment.responsibility_id].cells[party.key] = assignment.letter
    columns = sorted(parties.values(), key=Party.sort_key)
    for row in rows.values():
        row.line = [(party, row.cells.get(party.key, "")) for party in columns]
    return RaciMatrix(columns=columns, rows=list(rows.values()))


def row_of(responsibility: Responsibility) -> RaciRow:
    """One row of the grid, read again (after a save)."""
    row = RaciRow(responsibility)
    for assignment in responsibility.assignments.select_related("user"):
        row.cells[party_of(assignment).key] = assignment.letter
    return row


def roles_in_use(organization: Organization) -> list[str]:
    """The named roles of the organization's matrix, for pickers."""
    return sorted(
        set(
            RaciAssignment.objects.filter(organization=organization, user__isnull=True)
            .values_list("role", flat=True)
            .distinct()
        ),
        key=str.lower,
    )


def _clean_party(organization: Organization, party_role: str, party_user: User | None) -> Party:
    role = (party_role or "").strip()
    if role and party_user is not None:
        raise ValidationFailed.single("party_role", "Name a role or choose a person, not both.")
    if not role and party_user is None:
        raise ValidationFailed.single("party_role", "Name a role or choose a person.")
    if party_user is not None:
        is_member = Membership.objects.filter(
            organization=organization, user=party_user, user__is_active=True
        ).exists()
        if not is_member:
            raise ValidationFailed.single(
                "party_user", "Choose a person who is a member of this organization."
            )
        return Party(user=party_user)
    if len(role) > ROLE_MAX:
        raise ValidationFailed.single(
            "party_role", f"Keep the role name to {ROLE_MAX} characters (it has {len(role)})."
        )
    if "\x00" in role:
        raise ValidationFailed.single("party_role", "Must not contain a NUL character.")
    return Party(role=role)


def _clean_letter(letter: str | None) -> str:
    value = (letter or "").strip().upper()
    if value and value not in LETTERS:
        raise ValidationFailed.single("letter", "Choose R, A, C or I (or nothing to clear).")
    return value


def _party_filter(party: Party) -> Q:
    if party.user is not None:
        return Q(user=party.user)
    return Q(role=party.role, user__isnull=True)


@transaction.atomic
def set_assignment(
    responsibility: Responsibility,
    *,
    party_role: str = "",
    party_user: User | None = None,
    letter: str | None,
    actor: User,
) -> RaciAssignment | None:
    """Give a party (a named role, or a member) a letter on one responsibility; no letter
    clears the cell. A second A is refused, naming the party that is accountable now.
    Returns the cell as saved (None once cleared)."""
    require(actor, "change", responsibility)
    organization = responsibility.organization
    party = _clean_party(organization, party_role, party_user)
    value = _clean_letter(letter)
    # Lock the row: two people giving the A at once must not both succeed.
    Responsibility.objects.select_for_update().filter(pk=responsibility.pk).first()
    cells = list(responsibility.assignments.select_related("user"))
    current = next((c for c in cells if party_of(c).key == party.key), None)
    old = current.letter if current else None
    if (old or "") == value:
        return current
    if value == "A":
        holder = next((c for c in cells if c.letter == "A" and c is not current), None)
        if holder is not None:
            raise Conflict(
                f"{party_of(holder).label} is already accountable for “{responsibility}”: a "
                "responsibility has one A. Change that cell first.",
                code="raci_one_accountable",
            )
    if not value:
        assert current is not None  # clearing an empty cell returned above
        current.delete()
        saved = None
    elif current is None:
        saved = RaciAssignment.objects.create(
            organization=organization,
            responsibility=responsibility,
            role=party.role,
            user=party.user,
            letter=value,
        )
    else:
        current.letter = value
        current.save(update_fields=["letter", "updated_at"])
        saved = current
    record_activity(
        actor=actor,
        action="raci",
        obj=responsibility,
        changes={party.log_label: [old, value or None]},
    )
    return saved


@transaction.atomic
def rename_role(organization: Organization, old: str, new: str, *, actor: User) -> int:
    """Rename a named role in every cell of the organization's matrix (a title changed,
    "QA manager" becomes "Quality manager"). Returns how many cells changed."""
    require(actor, "change", Responsibility, organization=organization)
    old_name = (old or "").strip()
    new_name = (new or "").strip()
    errors = []
    if not old_name:
        errors.append(FieldError("old", "Name the role to rename."))
    if not new_name:
        errors.append(FieldError("new", "Name the new role."))
    elif len(new_name) > ROLE_MAX:
        errors.append(
            FieldError("new", f"Keep the role name to {ROLE_MAX} characters ({len(new_name)}).")
        )
    if errors:
        raise ValidationFailed(errors)
    cells = list(
        RaciAssignment.objects.select_for_update()
        .filter(organization=organization, role=old_name, user__isnull=True)
        .select_related("responsibility")
        .order_by("responsibility__activity", "pk")
    )
    if not cells:
        raise ValidationFailed.single("old", f"No cell of the matrix names the role “{old_name}”.")
    if new_name == old_name:
        return 0
    clash = (
        RaciAssignment.objects.filter(
            organization=organization,
            role=new_name,
            user__isnull=True,
            responsibility_id__in=[c.responsibility_id for c in cells],
        )
        .select_related("responsibility")
        .order_by("responsibility__activity")
        .first()
    )
    if clash is not None:
        raise Conflict(
            f"“{clash.responsibility}” already has the role “{new_name}”: "
            "give its letter to one of the two first.",
            code="raci_role_exists",
        )
    RaciAssignment.objects.filter(pk__in=[c.pk for c in cells]).update(role=new_name)
    for cell in cells:
        record_activity(
            actor=actor,
            action="raci",
            obj=cell.responsibility,
            changes={old_name: [cell.letter, None], new_name: [None, cell.letter]},
            message=f"Role “{old_name}” renamed to “{new_name}”.",
        )
    return len(cells)
