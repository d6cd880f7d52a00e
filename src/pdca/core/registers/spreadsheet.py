"""A register as an XLSX workbook, both ways.

The export has one row per entry (an ID column first, then the spec's fields) and a Help
sheet listing what each column accepts. The import reads the same layout: rows with an ID
change that entry, rows without one add an entry. Every cell is parsed first, then every row
goes through the register services in one transaction; any bad cell, or any row the services
refuse, is reported by reference (`Processes!C7: …`) and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from pdca.core.exceptions import PermissionDenied, ServiceError, ValidationFailed
from pdca.core.modelinfo import related_model
from pdca.core.permissions import may
from pdca.core.registers import services
from pdca.core.registers.choices import choices_for, label_of
from pdca.core.registers.display import header, plain
from pdca.core.registers.spec import RegisterSpec
from pdca.core.xlsx import (
    MAX_UPLOAD_BYTES,
    WRAP,
    CellErrors,
    cell_text,
    clean_text,
    first_sheet,
    is_empty,
    open_workbook,
    parse_date,
    parse_id,
    shown,
    style_header,
    workbook_bytes,
)

__all__ = ["MAX_UPLOAD_BYTES", "ImportSummary", "export_entries", "filename", "import_entries"]

YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}


def sheet_name(spec: RegisterSpec) -> str:
    return spec.title[:31]


def filename(spec: RegisterSpec, organization, today: dt.date) -> str:
    return f"{slugify(organization.name)}-{spec.slug}-{today:%Y-%m-%d}.xlsx"


def _accepts(spec: RegisterSpec, name: str) -> str:
    f = spec.model_field(name)
    if f.many_to_many or f.many_to_one:
        related = related_model(f)
        what = {
            "accounts.user": "the e-mail of a member",
            "standards.requirement": "a requirement as “ISO 9001:2015 4.1” (standard and number)",
        }.get(related._meta.label_lower)
        if what is None:
            what = f"the {_key_of(related)} of a {related._meta.verbose_name}"
        return f"{what}; several separated by “;”" if f.many_to_many else what
    if f.choices:
        return "one of: " + ", ".join(str(label) for _, label in f.choices)
    if isinstance(f, models.BooleanField):
        return "Yes or No"
    if isinstance(f, models.DateTimeField):
        return "a date and time (YYYY-MM-DD HH:MM)"
    if isinstance(f, models.DateField):
        return "a date (YYYY-MM-DD)"
    if isinstance(f, models.IntegerField | models.DecimalField):
        return "a number"
    return "text" + (f" (up to {f.max_length} characters)" if f.max_length else "")


def _key_of(model) -> str:
    from pdca.core.registers.spec import spec_of_model

    spec = spec_of_model(model)
    return spec.key_field if spec else "name"


def export_entries(spec: RegisterSpec, rows, *, organization) -> bytes:
    """The entries in `rows` as an XLSX workbook that the import reads back."""
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = sheet_name(spec)
    names = ["id", *spec.fields]
    sheet.append(["ID", *(header(spec, n) for n in spec.fields)])
    style_header(sheet)
    for obj in rows:
        values: list[Any] = [obj.pk]
        for name in spec.fields:
            value = plain(spec, obj, name)
            if isinstance(value, dt.datetime) and timezone.is_aware(value):
                # Excel has no time zones: the organization's local time, as pages show it.
                value = timezone.localtime(value).replace(tzinfo=None)
            values.append(clean_text(value) if isinstance(value, str) else value)
        sheet.append(values)
    for index, name in enumerate(names, start=1):
        letter = get_column_letter(index)
        field = spec.model_field(name) if name != "id" else None
        wide = field is not None and (isinstance(field, models.TextField) or field.many_to_many)
        sheet.column_dimensions[letter].width = 8 if name == "id" else 40 if wide else 18
        for cell in sheet[letter][1:]:
            cell.alignment = WRAP
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    help_sheet = workbook.create_sheet("Help")
    help_sheet.append(["Column", "Accepts", "Required"])
    style_header(help_sheet)
    help_sheet.append(["ID", "Leave empty to add an entry; keep it to change that entry.", "No"])
    for name in spec.fields:
        f = spec.model_field(name)
        required = not f.many_to_many and not f.blank and f.default is models.NOT_PROVIDED
        help_sheet.append([header(spec, name), _accepts(spec, name), "Yes" if required else "No"])
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["B"].width = 90
    return workbook_bytes(workbook)


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.rows} row(s) read: {self.created} added, {self.updated} changed, "
            f"{self.unchanged} unchanged."
        )

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            "ids": list(self.ids),
        }


def _word(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value or "").lower())


class _Lookup:
    """Finds related objects named in cells, with one query per field for the whole file."""

    def __init__(self, spec: RegisterSpec, organization) -> None:
        self.spec = spec
        self.organization = organization
        self._maps: dict[str, dict[str, Any]] = {}

    def _map(self, name: str) -> dict[str, Any]:
        if name not in self._maps:
            found: dict[str, Any] = {}
            for obj in choices_for(self.spec, name, self.organization):
                found[label_of(obj).lower()] = obj
                if obj._meta.label_lower == "standards.requirement":
                    found[f"{obj.standard.code} {obj.number}".lower()] = obj
            self._maps[name] = found
        return self._maps[name]

    def find(self, name: str, text: str):
        return self._map(name).get(" ".join(text.split()).lower())


def _parse(spec: RegisterSpec, name: str, value: Any, lookup: _Lookup) -> Any:
    """The cell's value for the services; raises ValueError with the reason."""
    f = spec.model_field(name)
    if f.many_to_many:
        parts = [p.strip() for p in re.split(r"[;\n]", cell_text(value)) if p.strip()]
        found: list[Any] = []
        missing: list[str] = []
        for part in parts:
            obj = lookup.find(name, part)
            (found if obj is not None else missing).append(obj or part)
        if missing:
            raise ValueError(f"not found here: {shown(', '.join(missing[:5]))}.")
        return found
    if f.many_to_one:
        text = cell_text(value)
        if not text:
            return None
        obj = lookup.find(name, text)
        if obj is None:
            related = related_model(f)
            noun = (
                "member with this e-mail"
                if related._meta.label_lower == "accounts.user"
                else f"{related._meta.verbose_name} “{shown(text)}”"
            )
            raise ValueError(f"no {noun} in this organization.")
        return obj
    if f.choices:
        text = cell_text(value)
        if not text:
            return ""
        for key, label in f.choices:
            if _word(text) in (_word(key), _word(label)):
                return key
        labels = ", ".join(str(lb) for _, lb in f.choices)
        raise ValueError(f"“{shown(text)}” is not one of: {labels}.")
    if isinstance(f, models.BooleanField):
        text = cell_text(value).lower() if not isinstance(value, bool) else str(value).lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError("write Yes or No.")
    if isinstance(f, models.DateTimeField):
        return _parse_datetime(value)
    if isinstance(f, models.DateField):
        ok, date = parse_date(value)
        if not ok:
            raise ValueError("write a date as YYYY-MM-DD.")
        return date
    if isinstance(f, models.IntegerField):
        if is_empty(value):
            return None
        if isinstance(value, bool):
            raise ValueError("write a whole number.")
        try:
            number = decimal.Decimal(cell_text(value))
        except decimal.InvalidOperation:
            raise ValueError("write a whole number.") from None
        if number != number.to_integral_value():
            raise ValueError("write a whole number.")
        return int(number)
    if isinstance(f, models.DecimalField):
        if is_empty(value):
            return None
        try:
            number = decimal.Decimal(cell_text(value))
        except decimal.InvalidOperation:
            raise ValueError("write a number.") from None
        if not number.is_finite():
            raise ValueError("write a number.")
        return number
    text = cell_text(value) if not isinstance(value, str) else value.strip()
    if "\x00" in text:
        raise ValueError("must not contain a NUL character.")
    return text


def _header(spec: RegisterSpec, sheet, errors: CellErrors) -> dict[str, int]:
    wanted = {"id": "id"}
    for name in spec.fields:
        wanted[_word(header(spec, name))] = name
        wanted[_word(name)] = name
    columns: dict[str, int] = {}
    for index, cell in enumerate(next(sheet.iter_rows(min_row=1, max_row=1)), start=1):
        if is_empty(cell.value):
            continue
        column = wanted.get(_word(cell.value))
        if column is None:
            errors.add(1, index, f"Unknown column “{shown(cell.value)}”: see the Help sheet.")
        elif column in columns:
            errors.add(1, index, f"Column “{shown(cell.value)}” appears twice.")
        else:
            columns[column] = index
    return columns


def import_entries(
    spec: RegisterSpec, organization, data: bytes, *, actor, dry_run: bool = False
) -> ImportSummary:
    """Add and change entries from an XLSX workbook, all or nothing (see the module's doc)."""
    if not may(actor, "add", spec.model, organization=organization):
        raise PermissionDenied(
            f"Your role may not import {spec.verbose_name_plural} in this organization."
        )
    workbook = open_workbook(data, what=f"the {spec.verbose_name_plural}")
    name = sheet_name(spec)
    sheet = workbook[name] if name in workbook.sheetnames else workbook.worksheets[0]
    errors = CellErrors(sheet.title)
    if sheet.max_row < 1 or sheet.max_column < 1:
        raise ValidationFailed.single("file", "The workbook is empty.")
    columns = _header(spec, sheet, errors)
    if spec.key_field not in columns:
        errors.add_whole(
            f"{sheet.title}!1:1", f"The column “{header(spec, spec.key_field)}” is missing."
        )
    errors.raise_if_any()
    lookup = _Lookup(spec, organization)
    existing = {obj.pk: obj for obj in spec.model.objects.filter(organization=organization)}
    parsed: list[tuple[int, Any, dict[str, Any]]] = []
    for row_number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if all(is_empty(v) for v in row):
            continue
        values: dict[str, Any] = {}
        blank: set[str] = set()
        target = None
        for name, index in columns.items():
            value = row[index - 1] if index - 1 < len(row) else None
            if name == "id":
                if is_empty(value):
                    continue
                pk = parse_id(value)
                target = existing.get(pk) if pk else None
                if target is None:
                    errors.add(row_number, index, "No entry of this register has this ID here.")
                continue
            try:
                values[name] = _parse(spec, name, value, lookup)
            except ValueError as exc:
                errors.add(row_number, index, str(exc)[:1].upper() + str(exc)[1:])
            if is_empty(value):
                blank.add(name)
        if target is None:
            # A new entry takes the register's defaults where its cells are empty.
            values = {k: v for k, v in values.items() if k not in blank}
        parsed.append((row_number, target, values))
    if len(parsed) > 5000:
        raise ValidationFailed.single("file", "Import at most 5,000 rows at a time.")
    errors.raise_if_any()
    summary = _save(spec, organization, parsed, columns, errors, actor=actor, dry_run=dry_run)
    return summary


class _Rollback(Exception):
    pass


def _save(spec, organization, parsed, columns, errors: CellErrors, *, actor, dry_run):
    summary = ImportSummary(rows=len(parsed), dry_run=dry_run)
    try:
        with transaction.atomic():
            for row_number, target, values in parsed:
                try:
                    with transaction.atomic():
                        if target is None:
                            obj = services.create_entry(spec, organization, actor=actor, **values)
                            summary.created += 1
                        else:
                            obj, changed = services.apply_update(
                                spec, target, actor=actor, **values
                            )
                            summary.updated += changed
                            summary.unchanged += not changed
                        summary.ids.append(obj.pk)
                except ValidationFailed as exc:
                    for e in exc.errors:
                        column = columns.get(e.field.split(".")[0])
                        if column:
                            errors.add(row_number, column, e.message)
                        else:
                            errors.add_row(row_number, e.message)
                except ServiceError as exc:
                    errors.add_row(row_number, exc.message)
            errors.raise_if_any()
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return summary


def _parse_datetime(value: Any) -> dt.datetime | None:
    """A date-and-time cell: a real one or text as YYYY-MM-DD HH:MM, read in local time."""
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        try:
            moment = dt.datetime.fromisoformat(cell_text(value).strip())
        except ValueError:
            raise ValueError("write a date and time as YYYY-MM-DD HH:MM.") from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
