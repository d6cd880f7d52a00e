"""The create and edit form of a register entry, built from its spec.

The form only parses input: the rules (the model's validation and the spec's own) run in the
register services, whose errors are put back on the form's fields.
"""

from __future__ import annotations

from functools import cache

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.text import capfirst

from pdca.core.forms import RequirementPickerField, StyledFormMixin
from pdca.core.modelinfo import related_model
from pdca.core.registers.choices import choices_for
from pdca.core.registers.spec import RegisterSpec
from pdca.core.validation import text_max_length


class EntryForm(StyledFormMixin, forms.ModelForm):
    spec: RegisterSpec

    def _linked(self, name: str) -> list[int | None]:
        """The ids the entry being edited links to through `name` already."""
        if self.instance.pk is None:
            return []
        if self.spec.is_m2m(name):
            return list(getattr(self.instance, name).values_list("pk", flat=True))
        return [getattr(self.instance, f"{name}_id", None)]

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        for name in (*self.spec.fk_fields, *self.spec.m2m_fields):
            choice = self.fields.get(name)
            if isinstance(choice, forms.ModelChoiceField):
                choice.queryset = choices_for(
                    self.spec, name, organization, keep=self._linked(name)
                )
                if self.spec.is_m2m(name):
                    choice.widget.attrs["size"] = 8
        for name in self.spec.fields:
            field = self.spec.model_field(name)
            text = self.fields.get(name)
            if isinstance(field, models.TextField) and isinstance(text, forms.CharField):
                # The limit the services enforce (`core.validation.text_max_length`).
                limit = text_max_length(field)
                text.max_length = limit
                text.validators.append(MaxLengthValidator(limit))
                text.widget.attrs["maxlength"] = str(limit)
        for name, (other, values) in self.spec.shown_when.items():
            if name in self.fields:
                self.fields[name].widget.attrs["data-shown-when"] = f"{other}:{','.join(values)}"

    def _post_clean(self) -> None:
        # The services validate the entry (model rules and the register's own) and name the
        # field of each problem; validating here as well would say it twice, or differently.
        pass

    def service_data(self) -> dict:
        """The cleaned values as the register services take them."""
        data = {}
        for name in self.spec.fields:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if self.spec.is_m2m(name):
                value = list(value)
            data[name] = value
        return data


def _formfield(field: models.Field, **kwargs):
    if field.many_to_many and related_model(field)._meta.label_lower == "standards.requirement":
        return RequirementPickerField(
            queryset=related_model(field)._default_manager.none(),
            help_text=field.help_text,
            label=capfirst(field.verbose_name),
        )
    formfield = field.formfield(**kwargs)
    if isinstance(field, models.DateField) and formfield is not None:
        formfield.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(field, models.TextField) and formfield is not None:
        formfield.widget.attrs["rows"] = 3
    return formfield


@cache
def form_class(spec: RegisterSpec) -> type[EntryForm]:
    # Django reads `formfield_callback` from Meta (a class attribute is ignored).
    meta = type(
        "Meta",
        (),
        {
            "model": spec.model,
            "fields": list(spec.fields),
            "formfield_callback": staticmethod(_formfield),
        },
    )
    return type(f"{spec.model.__name__}Form", (EntryForm,), {"Meta": meta, "spec": spec})
