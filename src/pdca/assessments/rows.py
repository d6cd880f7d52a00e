"""The rows of the items table: what each shows and lets the viewer change, and its HTML.

An assessment of all seven standards has some 350 rows of selects and inputs. Drawn with the
template language, each row costs dozens of variable lookups and three reverse() calls, and
the page took over a second; drawn here, from option lists and URL patterns built once per
page, the whole table takes a few milliseconds. The markup mirrors the rest of the page
(Bootstrap classes); every text is escaped.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html import escape

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from pdca.assessments.models import GapItem
from pdca.assessments.pages import is_overdue, label, requirement_url
from pdca.assessments.services import may_change_any
from pdca.core.concurrency import VERSION_FIELD, version_token
from pdca.core.permissions import may
from pdca.standards.models import Requirement

STATUS_LABELS = dict(GapItem.Status.choices)
_PK = 987654321  # stands for the item id in URL patterns


class Options:
    """The <option> list of a select, rendered once and marked per row."""

    def __init__(self, choices: Iterable[tuple[str, str]]) -> None:
        self.html = "".join(
            f'<option value="{escape(str(v))}">{escape(str(text))}</option>' for v, text in choices
        )

    def render(self, selected: str) -> str:
        mark = f'<option value="{escape(str(selected))}">'
        return self.html.replace(mark, mark[:-1] + " selected>", 1)


STATUS_OPTIONS = Options(GapItem.Status.choices)


def owner_options(members: Iterable) -> Options:
    return Options([("", "— nobody —")] + [(str(u.pk), u.get_full_name()) for u in members])


@functools.cache
def _item_path(name: str) -> str:
    return reverse(f"assessments:{name}", args=[_PK])


def item_url(name: str, pk: int) -> str:
    """assessments:<name> for item `pk`, without a reverse() per row."""
    return _item_path(name).replace(str(_PK), str(pk))


@dataclass
class Row:
    """One item as the table shows it: values (the stored ones, or what was just entered when
    a save failed), what the viewer may do, and errors by field."""

    item: GapItem
    covers: list[Requirement]
    editable: bool
    may_reassign: bool
    may_split: bool
    overdue: bool
    values: dict[str, str]
    owner_options: Options | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pk(self) -> int:
        return self.item.pk

    @property
    def label(self) -> str:
        return label(self.item)

    @property
    def shared(self) -> bool:
        return len({r.standard_id for r in self.covers}) > 1

    @property
    def shows_justification(self) -> bool:
        return self.values["status"] == GapItem.Status.NOT_APPLICABLE or bool(
            self.errors.get("justification")
        )

    @property
    def other_errors(self) -> list[str]:
        """Errors with no control of their own in the row (e.g. a refused reassignment)."""
        shown = {"status", "target_date", "notes", "justification"}
        if self.may_reassign:
            shown.add("owner")
        return [m for name, messages in self.errors.items() if name not in shown for m in messages]


def stored_values(item: GapItem) -> dict[str, str]:
    return {
        "status": item.status,
        "owner": str(item.owner_id or ""),
        "target_date": item.target_date.isoformat() if item.target_date else "",
        "notes": item.notes,
        "justification": item.justification,
    }


def make_row(
    item: GapItem,  # from pages.load_items
    user,
    today: dt.date,
    owners: Options | None,
    *,
    values: Mapping[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> Row:
    editable = may(user, "change", item)
    may_reassign = editable and may_change_any(user, item)
    shown = stored_values(item)
    if values:
        shown.update({k: v for k, v in values.items() if k in shown})
    covers = item.covered
    return Row(
        item=item,
        covers=covers,
        editable=editable,
        may_reassign=may_reassign,
        may_split=may_reassign and len({r.standard_id for r in covers}) > 1,
        overdue=is_overdue(item, today),
        values=shown,
        owner_options=owners if may_reassign else None,
        errors=errors or {},
    )


# --- HTML ---------------------------------------------------------------------------------


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _errors(messages: Iterable[str]) -> str:
    return "".join(
        f'<div class="invalid-feedback d-block" role="alert">{escape(m)}</div>' for m in messages
    )


def _invalid(row: Row, name: str) -> str:
    return " is-invalid" if row.errors.get(name) else ""


def render_row(row: Row, *, bulk: bool, selected: set[int], csrf_token: str) -> SafeString:
    """The <tr> of one item; `bulk` adds its checkbox for the bulk bar."""
    item, req, pk = row.item, row.item.requirement, row.pk
    name = escape(row.label)
    classes = "row-error" if row.errors else "row-overdue" if row.overdue else ""
    parts = [f'<tr id="item-{pk}" class="{classes}"']
    if row.editable:
        parts.append(
            f' hx-post="{item_url("item_edit", pk)}" hx-trigger="change[target.name!=\'ids\']"'
            ' hx-include="this" hx-target="this" hx-swap="outerHTML"'
        )
    parts.append(">")

    # The checkbox for the bulk bar (it belongs to the bar's form, wherever the row is).
    parts.append('<td class="col-check cell-narrow">')
    if row.editable:
        # The version the row shows: a save based on a row someone changed since is refused.
        parts.append(
            f'<input type="hidden" name="{VERSION_FIELD}" value="{escape(version_token(item))}">'
        )
    if row.editable and bulk:
        checked = " checked" if pk in selected else ""
        parts.append(
            f'<input type="checkbox" class="form-check-input bulk-check" name="ids" '
            f'value="{pk}" form="bulk-form" aria-label="Select {name}"{checked}>'
        )
    parts.append("</td>")

    # The requirement, linked to the catalog, and the standards sharing the item.
    parts.append(
        f'<td class="col-req cell-main"><a class="req-link" href="{escape(requirement_url(req))}">'
        f'<span class="req-number">{escape(req.number)}</span> {escape(req.title)}</a>'
        '<div class="small">'
    )
    if row.shared:
        parts.append('<span class="text-muted">Shared by</span>')
        for r in row.covers:
            parts.append(
                f' <a class="badge badge-std" href="{escape(requirement_url(r))}" '
                f'title="{escape(f"{r.standard} {r.number} {r.title}")}">'
                f"{escape(r.standard.name)}</a>"
            )
    else:
        parts.append(f'<span class="text-muted">{escape(req.standard.name)}</span>')
    # Details, and splitting a shared item.
    parts.append(
        f' <a class="item-details" href="{item_url("item_detail", pk)}" '
        f'aria-label="Details of {name}">Details</a>'
    )
    if row.may_split:
        parts.append(
            f'<form method="post" action="{item_url("item_split", pk)}" class="d-inline">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(csrf_token)}">'
            f'<button class="btn btn-link btn-sm item-split" '
            f'title="Assess each standard of this shared item apart" '
            f'aria-label="Split {name}">Split</button></form>'
        )
    parts.append("</div>")
    parts += [
        f'<div class="text-danger small" role="alert">{escape(m)}</div>' for m in row.other_errors
    ]
    parts.append("</td>")

    # Status (with the justification a not-applicable item needs).
    parts.append('<td class="col-status" data-label="Status">')
    if row.editable:
        parts.append(
            f'<select name="status" id="item-{pk}-status" class="form-select form-select-sm'
            f'{_invalid(row, "status")}" aria-label="Status of {name}">'
            f"{STATUS_OPTIONS.render(row.values['status'])}</select>"
        )
        if row.shows_justification:
            parts.append(
                f'<input name="justification" id="item-{pk}-justification" '
                f'class="form-control form-control-sm mt-1{_invalid(row, "justification")}" '
                f'value="{escape(row.values["justification"])}" '
                f'placeholder="Why it does not apply" aria-label="Justification for {name}">'
            )
        parts.append(_errors(row.errors.get("status", []) + row.errors.get("justification", [])))
    else:
        parts.append(
            f'<span class="badge gap-status gap-{item.status}">'
            f"{escape(STATUS_LABELS.get(item.status, item.status))}</span>"
        )
        if item.status == GapItem.Status.NOT_APPLICABLE and item.justification:
            parts.append(
                f'<div class="small text-muted">{escape(_truncate(item.justification, 80))}</div>'
            )
    parts.append("</td>")

    # Owner: a select for implementers, a name for everyone else.
    parts.append('<td class="col-owner" data-label="Owner">')
    if row.may_reassign and row.owner_options is not None:
        parts.append(
            f'<select name="owner" id="item-{pk}-owner" class="form-select form-select-sm'
            f'{_invalid(row, "owner")}" aria-label="Owner of {name}">'
            f"{row.owner_options.render(row.values['owner'])}</select>"
            + _errors(row.errors.get("owner", []))
        )
    else:
        parts.append(escape(str(item.owner)) if item.owner_id else "—")
    parts.append("</td>")

    # Target date.
    parts.append('<td class="col-date" data-label="Target date">')
    if row.editable:
        parts.append(
            f'<input type="date" name="target_date" id="item-{pk}-target_date" '
            f'class="form-control form-control-sm{_invalid(row, "target_date")}" '
            f'value="{escape(row.values["target_date"])}" aria-label="Target date of {name}">'
            + _errors(row.errors.get("target_date", []))
        )
    else:
        shown = item.target_date.isoformat() if item.target_date else "—"
        parts.append(f'<span class="text-nowrap">{shown}</span>')
    if row.overdue:
        parts.append(' <span class="badge text-bg-danger">overdue</span>')
    parts.append("</td>")

    # Notes.
    parts.append('<td class="col-notes" data-label="Notes">')
    if row.editable:
        parts.append(
            f'<textarea name="notes" id="item-{pk}-notes" rows="1" '
            f'class="form-control form-control-sm autogrow{_invalid(row, "notes")}" '
            f'aria-label="Notes on {name}">{escape(row.values["notes"])}</textarea>'
            + _errors(row.errors.get("notes", []))
        )
    else:
        parts.append(f'<span class="small">{escape(_truncate(item.notes, 120))}</span>')
    parts.append("</td></tr>")
    return mark_safe("".join(parts))  # noqa: S308  (every text is escaped above)


def render_rows(
    rows: Iterable[Row], *, bulk: bool, selected: set[int], csrf_token: str
) -> SafeString:
    return mark_safe(  # noqa: S308  (built from escaped rows)
        "".join(
            render_row(row, bulk=bulk, selected=selected, csrf_token=csrf_token) for row in rows
        )
    )
