"""Form base: every widget gets the layout's classes, so templates stay plain."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeVar

from django import forms
from django.forms.models import ModelChoiceIterator

_F = TypeVar("_F", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[_F]) -> _F:
    """The form's own copy of field `name`, as the kind of field it is (the stubs type every
    form field as a plain `Field`, without `choices` or `queryset`)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}")
    return field


class StyledFormMixin:
    fields: dict[str, forms.Field]  # provided by the form class it is mixed into

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class _GroupedByStandard(ModelChoiceIterator):
    """Options in one group per standard, in the queryset's order."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list[Any]] = {}
        for obj in self.queryset.select_related("standard"):
            groups.setdefault(str(obj.standard), []).append(self.choice(obj))
        yield from groups.items()


def requirement_label(requirement: Any) -> str:
    """How a requirement reads in a picker: "ISO 9001 8.7 Control of nonconforming outputs"."""
    return f"{requirement.standard.name} {requirement.number} {requirement.title}"


class RequirementPickerField(forms.ModelMultipleChoiceField):
    """The one requirement picker: grouped by standard, each option named with its standard,
    number and title, searchable by number or words (`pickers.js`). The form gives it the
    requirements the service accepts (e.g. `system.selectors.requirement_choices`)."""

    iterator = _GroupedByStandard

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(queryset, **kwargs)
        self.widget.attrs.update(
            {"data-picker": "requirements", "data-placeholder": "Search by number or words"}
        )

    def label_from_instance(self, obj: Any) -> str:
        return requirement_label(obj)


class SingleRequirementPickerField(forms.ModelChoiceField):
    """The requirement picker for one requirement (an exclusion, a checklist question)."""

    iterator = _GroupedByStandard

    def __init__(self, queryset: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("empty_label", "Choose a requirement")
        super().__init__(queryset, **kwargs)
        self.widget.attrs.update(
            {"data-picker": "requirement", "data-placeholder": "Search by number or words"}
        )

    def label_from_instance(self, obj: Any) -> str:
        return requirement_label(obj)
