"""Forms of the certification body's intake pages. They only parse input: the rules live in
the services (`certification.services.*`), whose errors are put back on the fields."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms

from pdca.certification.audit_time import STAGE1_SHARE, Adjustment
from pdca.certification.models import Application, CertificationBodyProfile, Client, ClientSite
from pdca.certification.services.applications import APPLICATION_FIELDS, catalog_standards
from pdca.certification.services.profile import IMAGE_FIELDS, MAX_IMAGE_BYTES, PROFILE_FIELDS
from pdca.certification.services.sampling import FACTORS
from pdca.core.forms import StyledFormMixin, field_of

#: Rows of adjustments the audit-time form offers.
ADJUSTMENT_ROWS = 6


class ProfileForm(StyledFormMixin, forms.ModelForm):
    logo_file = forms.FileField(
        required=False,
        label="Logo image",
        help_text=f"PNG, JPEG or a plain SVG drawing, at most {MAX_IMAGE_BYTES // 1024} kB.",
    )
    signature_file = forms.FileField(
        required=False,
        label="Signature image",
        help_text=f"PNG, JPEG or a plain SVG drawing, at most {MAX_IMAGE_BYTES // 1024} kB.",
    )

    class Meta:
        model = CertificationBodyProfile
        # The images are uploaded on their own (checked and stored as evidence).
        fields = [name for name in PROFILE_FIELDS if name not in IMAGE_FIELDS]
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        pass  # the service validates and names the field

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def _identical_text(items: Any) -> str:
    if not isinstance(items, list):
        return ""
    return "\n".join(
        f"{item.get('name', '')} = {item.get('persons', '')}"
        for item in items
        if isinstance(item, dict)
    )


class IdenticalActivitiesField(forms.CharField):
    """One activity a line, `name = persons` (ISMS: persons doing an identical activity)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        return _identical_text(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[dict[str, Any]]:  # type: ignore[override]
        text = super().to_python(value) or ""
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, persons = line.rpartition("=")
            if not sep or not persons.strip().isdigit():
                raise forms.ValidationError(
                    f"Line {number}: write the activity, '=' and the number of persons, "
                    "e.g. call centre = 400."
                )
            items.append({"name": name.strip(), "persons": int(persons.strip())})
        return items


class ApplicationForm(StyledFormMixin, forms.ModelForm):
    client = forms.ModelChoiceField(queryset=Client.objects.none())
    standards = forms.ModelMultipleChoiceField(
        queryset=catalog_standards().none(),
        help_text="Each standard gets its own audit time; two or more may be audited together.",
    )
    sites = forms.ModelMultipleChoiceField(
        queryset=ClientSite.objects.none(),
        required=False,
        help_text="The client's sites in scope (empty: all of them).",
    )
    identical_activities = IdenticalActivitiesField(
        required=False,
        help_text="ISO/IEC 27001 only: one activity a line, e.g. call centre = 400.",
    )

    class Meta:
        model = Application
        fields = [f for f in APPLICATION_FIELDS]
        widgets = {
            "consultancy_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "shifts": forms.Textarea(attrs={"rows": 2}),
            "repetitive_justification": forms.Textarea(attrs={"rows": 2}),
            "outsourced_processes": forms.Textarea(attrs={"rows": 2}),
            "integration_notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clients = Client.objects.filter(organization=organization)
        current = clients.filter(archived_at__isnull=True)
        if self.instance.pk:
            current = current | clients.filter(pk=self.instance.client_id)
        field_of(self, "client", forms.ModelChoiceField).queryset = current.order_by("name")
        field_of(
            self, "standards", forms.ModelMultipleChoiceField
        ).queryset = catalog_standards().order_by("code")
        field_of(self, "sites", forms.ModelMultipleChoiceField).queryset = (
            ClientSite.objects.filter(organization=organization, archived_at__isnull=True)
            .select_related("client")
            .order_by("client__name", "-is_central", "name")
        )
        for name in (
            "temporary_personnel",
            "part_time_persons",
            "part_time_hours",
            "full_time_hours",
            "repetitive_persons",
            "off_site_share",
            "integration_reduction",
            "permanent_personnel",
        ):
            self.fields[name].required = False  # left empty: the model's default
        self.fields["reference"].required = False
        self.fields["reference"].help_text = "Left empty: numbered APP-<year>-001, 002…"
        self.fields["complexity"].required = False
        if self.instance.pk:
            self.initial["identical_activities"] = self.instance.identical_activities

    def _post_clean(self) -> None:
        pass  # the service validates and names the field

    def service_data(self) -> dict[str, Any]:
        data = {}
        for name in APPLICATION_FIELDS:
            if name not in self.cleaned_data:
                continue
            value = self.cleaned_data[name]
            if name in ("standards", "sites"):
                value = list(value)
            elif value is None and name != "consultancy_until":
                continue
            data[name] = value
        return data


class TransitionForm(StyledFormMixin, forms.Form):
    to = forms.ChoiceField(choices=Application.Status.choices)
    reasons = forms.MultipleChoiceField(
        choices=Application.DeclineReason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Reasons to decline",
    )
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class AuditTimeForm(StyledFormMixin, forms.Form):
    """Adjustments (each with its reason), the stage 1 share, entered days for standards
    without a table, and the multi-site sample's stage and risk increase."""

    stage1_share = forms.DecimalField(
        min_value=Decimal("0.05"),
        max_value=Decimal("0.95"),
        decimal_places=4,
        initial=round(Decimal(STAGE1_SHARE.numerator) / STAGE1_SHARE.denominator, 4),
        help_text="Share of stage 1 in the initial time (the reference gives no split).",
    )
    sampling_stage = forms.ChoiceField(
        choices=[(k, k.capitalize()) for k in FACTORS], initial="initial", required=False
    )
    risk_increase = forms.IntegerField(min_value=0, max_value=1000, initial=0, required=False)
    seed = forms.IntegerField(min_value=0, max_value=2**31 - 1, required=False)

    def __init__(self, *args: Any, entered: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(ADJUSTMENT_ROWS):
            self.fields[f"adjustment_{i}_percent"] = forms.FloatField(
                required=False, label=f"Adjustment {i + 1} (%)", min_value=-99, max_value=1000
            )
            self.fields[f"adjustment_{i}_reason"] = forms.CharField(
                required=False, label="Reason", max_length=500
            )
        self.entered = list(entered)
        for standard in self.entered:
            self.fields[f"days_{standard.code}"] = forms.FloatField(
                required=False, min_value=0.5, max_value=1000, label=f"{standard}: initial days"
            )
            self.fields[f"justification_{standard.code}"] = forms.CharField(
                required=False,
                max_length=2000,
                label="Justification",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        # The mixin styled the declared fields only: style the ones added here.
        for field in self.fields.values():
            if "class" not in field.widget.attrs:
                field.widget.attrs["class"] = (
                    "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                )

    def adjustment_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [
            (self[f"adjustment_{i}_percent"], self[f"adjustment_{i}_reason"])
            for i in range(ADJUSTMENT_ROWS)
        ]

    def entered_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(s, self[f"days_{s.code}"], self[f"justification_{s.code}"]) for s in self.entered]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(ADJUSTMENT_ROWS):
            percent = data.get(f"adjustment_{i}_percent")
            reason = (data.get(f"adjustment_{i}_reason") or "").strip()
            if percent is None and reason:
                self.add_error(f"adjustment_{i}_percent", "Give the percentage up or down.")
            elif percent is not None and not reason:
                self.add_error(f"adjustment_{i}_reason", "Every adjustment needs its reason.")
        return data

    def adjustments(self) -> list[Adjustment]:
        found = []
        for i in range(ADJUSTMENT_ROWS):
            percent = self.cleaned_data.get(f"adjustment_{i}_percent")
            if percent is not None:
                found.append(
                    Adjustment(percent, self.cleaned_data.get(f"adjustment_{i}_reason", ""))
                )
        return found

    def days(self) -> dict[str, float]:
        return {
            s.code: self.cleaned_data[f"days_{s.code}"]
            for s in self.entered
            if self.cleaned_data.get(f"days_{s.code}") is not None
        }

    def justifications(self) -> dict[str, str]:
        return {
            s.code: self.cleaned_data.get(f"justification_{s.code}") or "" for s in self.entered
        }
