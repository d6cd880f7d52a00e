"""Filtering and sorting a register's list, the same way on its page, in its API and in its
export: a django-filter FilterSet built from the spec, with related choices kept to the
organization's own rows."""

from __future__ import annotations

from functools import cache

import django_filters
from django import forms
from django.db import models
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from pdca.core.registers.archive import is_archivable
from pdca.core.registers.choices import choices_for
from pdca.core.registers.spec import RegisterSpec


class QuickSelect(forms.Select):
    """A <select> written out directly. Django renders each option through a template: for
    a filter on the people of an organization of 2,000 that took longer than all the rest of
    the register's page."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        chosen = {str(v) for v in self.format_value(value)}
        options = []
        for option_value, label in self.choices:
            key = "" if option_value is None else str(option_value)
            selected = " selected" if key in chosen else ""
            options.append(f'<option value="{escape(key)}"{selected}>{escape(label)}</option>')
        return format_html(
            "<select{}>{}</select>",
            flatatt(final_attrs),
            mark_safe("".join(options)),  # noqa: S308 - each option escaped above
        )


class EntryFilterSet(django_filters.FilterSet):
    spec: RegisterSpec
    q = django_filters.CharFilter(method="search", label="Search")

    def __init__(self, data=None, *args, organization=None, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        for name in self.spec.filters:
            field = self.spec.model_field(name)
            if field.is_relation and name in self.filters:
                self.filters[name].queryset = choices_for(self.spec, name, organization)
        for name in self.spec.filters:
            field = self.form.fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                field.widget = QuickSelect(attrs=field.widget.attrs)
                field.widget.choices = field.choices
        for f in self.form.fields.values():
            css = "form-select" if hasattr(f, "choices") else "form-control"
            f.widget.attrs["class"] = f"{css} form-select-sm form-control-sm"

    def search(self, queryset, name, value):
        words = value.split()
        for word in words[:8]:
            condition = Q()
            for field in self.spec.search:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        # Searching related rows (a document's versions) would repeat the entry per match.
        return queryset.distinct() if any("__" in f for f in self.spec.search) else queryset


def _filter_for(spec: RegisterSpec, name: str):
    field = spec.model_field(name)
    label = capfirst(str(field.verbose_name))
    if field.is_relation:
        return django_filters.ModelChoiceFilter(
            field_name=name, queryset=spec.related_model(name)._default_manager.none(), label=label
        )
    if field.choices:
        return django_filters.ChoiceFilter(field_name=name, choices=field.choices, label=label)
    if isinstance(field, models.BooleanField):
        return django_filters.BooleanFilter(field_name=name, label=label)
    if isinstance(field, models.DateField):
        return django_filters.DateFilter(field_name=name, lookup_expr="lte", label=f"{label} by")
    if isinstance(field, models.IntegerField | models.DecimalField):
        return django_filters.NumberFilter(field_name=name, label=label)
    return django_filters.CharFilter(field_name=name, lookup_expr="icontains", label=label)


ARCHIVED_CHOICES = (("", "Current"), ("yes", "Archived only"), ("all", "Current and archived"))


def _archived_filter():
    # The rows are chosen in `filtered`, which also applies the default (current only).
    return django_filters.ChoiceFilter(
        label="Shown",
        choices=ARCHIVED_CHOICES[1:],
        empty_label=ARCHIVED_CHOICES[0][1],
        method=lambda queryset, name, value: queryset,
    )


@cache
def filterset_class(spec: RegisterSpec) -> type[EntryFilterSet]:
    attrs = {name: _filter_for(spec, name) for name in spec.filters}
    if is_archivable(spec.model):
        attrs["archived"] = _archived_filter()
    meta = type("Meta", (), {"model": spec.model, "fields": []})
    return type(
        f"{spec.model.__name__}FilterSet", (EntryFilterSet,), {**attrs, "Meta": meta, "spec": spec}
    )


def sort_key(spec: RegisterSpec, wanted: str | None) -> str:
    """The ordering the list uses: `wanted` when the spec allows it, else the default."""
    if wanted and wanted.lstrip("-") in spec.ordering:
        return wanted
    return spec.ordering[0] if spec.ordering else "pk"


def filtered(spec: RegisterSpec, queryset: models.QuerySet, data, organization):
    """(filterset, rows) for the query parameters in `data`."""
    if is_archivable(spec.model):
        shown = (data or {}).get("archived", "")
        if shown == "yes":
            queryset = queryset.filter(archived_at__isnull=False)
        elif shown != "all":
            queryset = queryset.filter(archived_at__isnull=True)
    filterset = filterset_class(spec)(data or None, queryset=queryset, organization=organization)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    return filterset, rows
