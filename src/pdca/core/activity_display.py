"""Activity entries as a person would read them: field labels instead of field names, names and
titles instead of ids, choice labels instead of codes.

The log stores what changed as it was (`{"owner": [None, 4], "requirements": [[], [360, 440]]}`)
and stays so: it is evidence. Only its display is translated, for a page of entries at once:
one query per kind of related object named on the page, whatever the number of entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.text import capfirst

from pdca.core.models import ActivityEntry

LONG_TEXT = 120


@dataclass(frozen=True)
class ShownChange:
    """One changed field: its label, and the value before and after as text (None: no value)."""

    label: str
    before: str | None
    after: str | None


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _ids(value: Any) -> list[Any]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int | str)]
    return [value] if isinstance(value, int | str) else []


def _name_of(obj: models.Model) -> str:
    label = getattr(type(obj), "label", None)
    if isinstance(label, property):
        labelled: Any = obj  # a model with a `label` property
        return str(labelled.label)  # e.g. a requirement: "ISO 9001 8.7"
    return str(obj)


def _names(wanted: dict[type[models.Model], set[Any]]) -> dict[type[models.Model], dict[str, str]]:
    found: dict[type[models.Model], dict[str, str]] = {}
    for model, ids in wanted.items():
        rows = model._default_manager.filter(pk__in=list(ids))
        if any(f.name == "standard" for f in model._meta.concrete_fields):
            rows = rows.select_related("standard")
        found[model] = {str(obj.pk): _name_of(obj) for obj in rows}
    return found


def _text(value: Any, field: Any, names: dict[str, str] | None) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if names is not None:
        ids = _ids(value)
        return ", ".join(names.get(str(i), f"#{i} (deleted)") for i in ids) or None
    if isinstance(value, bool):
        return "yes" if value else "no"
    choices = dict(getattr(field, "flatchoices", None) or ())
    if choices and not isinstance(value, list):
        return str(choices.get(value, value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1] + "…"


def describe(entries: Iterable[ActivityEntry]) -> list[tuple[ActivityEntry, list[ShownChange]]]:
    """Each entry with its changes as people read them, in the order they were recorded."""
    entries = list(entries)
    wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
    for entry in entries:
        model = _model(entry.object_type)
        for name, pair in (entry.changes or {}).items():
            field = _field(model, name)
            if getattr(field, "is_relation", False) and field.related_model is not None:
                for value in pair if isinstance(pair, list) else []:
                    wanted[field.related_model].update(_ids(value))
    names = _names(wanted)
    described = []
    for entry in entries:
        model = _model(entry.object_type)
        rows = []
        for name, pair in (entry.changes or {}).items():
            field = _field(model, name)
            related = getattr(field, "related_model", None) if field is not None else None
            shown_names = names.get(related, {}) if related is not None else None
            label = (
                capfirst(str(field.verbose_name))
                if field is not None and hasattr(field, "verbose_name")
                else capfirst(name.replace("_", " "))
            )
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            rows.append(
                ShownChange(
                    label, _text(before, field, shown_names), _text(after, field, shown_names)
                )
            )
        described.append((entry, rows))
    return described


def type_label(object_type: str) -> str:
    """ "audits.finding" as "Finding" (with its app when two apps name a model alike)."""
    model = _model(object_type)
    if model is None:
        return object_type
    return capfirst(str(model._meta.verbose_name))
