"""The XLSX import of a Statement of Applicability: the workbook `soa_export.soa_xlsx` writes,
edited in a spreadsheet program, read back.

Rows are matched to lines by the Control column; only Applicable, Justification,
Implementation status, Owner (e-mail) and Notes are read. Every cell is checked first and each
bad one is named (`Lines!E12: …`); when any is bad nothing is written. Good files go through
`bulk_update_lines`, so the rules, permissions and activity log are those of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from pdca.core.exceptions import ValidationFailed
from pdca.core.permissions import may, memberships, require, rules_for
from pdca.core.xlsx import CellErrors, cell_text, is_empty, open_workbook, shown
from pdca.risks.models import ControlApplicability, StatementOfApplicability
from pdca.risks.soa import services
from pdca.risks.soa.export import HEADERS, LINES_SHEET
from pdca.risks.soa.forms import members_of

#: Columns read back, by header, and the line field each one sets.
READ = {
    "applicable": "applicable",
    "justification": "justification",
    "implementation status": "implementation",
    "owner": "owner",
    "notes": "notes",
}
YES = {"yes", "y", "true", "1", "applicable", "included", "x"}
NO = {"no", "n", "false", "0", "not applicable", "excluded", "n/a", "na"}
IMPLEMENTATION_BY_WORD = {
    **{value.replace("_", " "): value for value in ControlApplicability.Implementation.values},
    **{label.lower(): value for value, label in ControlApplicability.Implementation.choices},
    "partial": "partial",
    "done": "implemented",
}
#: How far down the header row is looked for (the title block sits above it).
HEADER_SEARCH_ROWS = 30


@dataclass
class ImportSummary:
    """What an import did: rows read, lines changed (their control numbers), rows left alone."""

    rows: int = 0
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.rows} row(s) read, {len(self.changed)} line(s) changed, "
            f"{self.unchanged} unchanged."
        )


def _word(value: Any) -> str:
    return re.sub(r"\s+", " ", cell_text(value).lower())


def _find_header(sheet, errors: CellErrors) -> tuple[int, dict[str, int]] | None:
    """(header row number, {header: column index}) or None after noting the error."""
    for number, row in enumerate(
        sheet.iter_rows(min_row=1, max_row=HEADER_SEARCH_ROWS, values_only=True), start=1
    ):
        words = [_word(v) for v in row]
        if "control" in words:
            columns: dict[str, int] = {}
            for index, word in enumerate(words, start=1):
                if word in {h.lower() for h in HEADERS} and word not in columns:
                    columns[word] = index
            return number, columns
    errors.add_whole(
        f"{LINES_SHEET}!A1:A{HEADER_SEARCH_ROWS}",
        "no header row with a 'Control' column: export the SoA again and edit that file.",
    )
    return None


def _parse(key: str, value: Any, members: dict[str, Any]) -> tuple[bool, Any, str]:
    """(ok, value for the service, error message) for one cell of a read column."""
    if key == "applicable":
        word = _word(value)
        if word == "" or word == "undecided":
            return True, None, ""
        if word in YES:
            return True, True, ""
        if word in NO:
            return True, False, ""
        return False, None, f"{shown(value)!r} is not Yes or No (leave it empty if undecided)."
    if key == "implementation":
        word = _word(value)
        if word == "":
            return True, ControlApplicability.Implementation.NOT_STARTED, ""
        if word in IMPLEMENTATION_BY_WORD:
            return True, IMPLEMENTATION_BY_WORD[word], ""
        labels = ", ".join(label for _, label in ControlApplicability.Implementation.choices)
        return False, None, f"{shown(value)!r} is not a status: use one of {labels}."
    if key == "owner":
        email = cell_text(value).lower()
        if not email:
            return True, None, ""
        if email not in members:
            return False, None, f"{shown(email)} is not an active member of this organization."
        return True, members[email], ""
    return True, "" if is_empty(value) else cell_text(value), ""


def _current(line: ControlApplicability, key: str) -> Any:
    return line.owner if key == "owner" else getattr(line, key)


@transaction.atomic
def soa_import_allowed(user: Any, soa: StatementOfApplicability) -> bool:
    """Implementers may import any line, process owners their own lines (the import checks
    each line it changes)."""
    rules = rules_for(ControlApplicability)
    role = memberships(user).get(soa.organization_id)
    return role is not None and (
        role in rules.actions.get("change", ()) or role in rules.owner_roles
    )


def import_soa(soa: StatementOfApplicability, data: bytes, *, actor) -> ImportSummary:
    """Apply an edited SoA workbook: all rows, or nothing (ValidationFailed naming each cell)."""
    require(actor, "view", soa)
    workbook = open_workbook(data, what="the SoA")
    if LINES_SHEET not in workbook.sheetnames:
        raise ValidationFailed.single(
            LINES_SHEET,
            f"the workbook has no sheet named {LINES_SHEET!r} (it has "
            f"{shown(', '.join(repr(n) for n in workbook.sheetnames))}).",
        )
    sheet = workbook[LINES_SHEET]
    errors = CellErrors(LINES_SHEET)
    found = _find_header(sheet, errors)
    if found is None:
        errors.raise_if_any()
    assert found is not None  # `_find_header` reported why there is none
    header_row, columns = found
    lines = {line.control.number: line for line in services.soa_lines(soa)}
    members = {u.email.lower(): u for u in members_of(soa.organization_id)}
    summary = ImportSummary()
    changes: list[tuple[int, dict[str, Any]]] = []
    rows_of: dict[int, int] = {}
    seen: dict[str, int] = {}
    control_col = columns["control"]
    for number, row in enumerate(
        sheet.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1
    ):
        if all(is_empty(v) for v in row):
            continue
        summary.rows += 1
        control = cell_text(row[control_col - 1] if len(row) >= control_col else None)
        line = lines.get(control)
        if line is None:
            errors.add(
                number, control_col, f"{control or 'an empty cell'} is not a control of this SoA."
            )
            continue
        if control in seen:
            errors.add(
                number, control_col, f"{control} is also on row {seen[control]}: keep one row."
            )
            continue
        seen[control] = number
        change: dict[str, Any] = {}
        for header, key in READ.items():
            column = columns.get(header)
            if column is None:
                continue
            ok, value, message = _parse(
                key, row[column - 1] if len(row) >= column else None, members
            )
            if not ok:
                errors.add(number, column, message)
            elif value != _current(line, key):
                change[key] = value
        if not change:
            summary.unchanged += 1
            continue
        if not may(actor, "change", line):
            errors.add(number, control_col, f"you may not change the line of {control}.")
            continue
        rows_of[line.pk] = number
        changes.append((number, {"id": line.pk, **change}))
    errors.raise_if_any()
    try:
        services.bulk_update_lines(soa, [c for _, c in changes], actor=actor)
    except ValidationFailed as exc:
        _by_cell(exc, changes, columns, errors)
        errors.raise_if_any()
        raise
    by_pk = {line.pk: number for number, line in lines.items()}
    summary.changed = [by_pk[c["id"]] for _, c in changes]
    return summary


def _by_cell(
    exc: ValidationFailed,
    changes: list[tuple[int, dict[str, Any]]],
    columns: dict[str, int],
    errors: CellErrors,
) -> None:
    """Turn the service's `lines.3.justification` into the cell it came from."""
    column_of = {key: columns.get(header) for header, key in READ.items()}
    for error in exc.errors:
        parts = error.field.split(".")
        if len(parts) == 3 and parts[0] == "lines" and parts[1].isdigit():
            row_number = changes[int(parts[1])][0]
            column = column_of.get(parts[2]) or columns["control"]
            errors.add(row_number, column, error.message)
        else:
            errors.add_whole(LINES_SHEET, error.message)
