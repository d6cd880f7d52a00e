"""Forms of the engagement pages: thin, the rules are in the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from pdca.certification.models import Client
from pdca.core.forms import StyledFormMixin, field_of
from pdca.documents.models import Document, DocumentVersion, EvidenceFile
from pdca.engagements.models import EvidenceRequest
from pdca.engagements.services.grants import shareable_registers
from pdca.system.models import ManagementSystem


class InviteForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200, help_text="e.g. ISO 9001 certification of Acme")
    email = forms.EmailField(
        label="Client's manager (e-mail address)",
        help_text="The person who accepts the link for the client's organization",
    )
    client = forms.ModelChoiceField(queryset=Client.objects.none(), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organization.kind == organization.Kind.CERTIFICATION_BODY:
            field_of(self, "client", forms.ModelChoiceField).queryset = Client.objects.filter(
                organization=organization, archived_at__isnull=True
            ).order_by("name")
            self.fields["client"].required = True
            self.fields["client"].help_text = "The client record the link belongs to"
        else:
            del self.fields["client"]


class AcceptForm(StyledFormMixin, forms.Form):
    organization = forms.ChoiceField(label="Link it to")

    def __init__(self, *args: Any, choices: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "organization", forms.ChoiceField).choices = [
            (o.pk, o.name) for o in choices
        ]


class EndForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(max_length=500)


def _local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class GrantForm(StyledFormMixin, forms.Form):
    purpose = forms.CharField(
        max_length=200, help_text="e.g. Stage 1 document review, or the whole stage 2 audit"
    )
    ends_at = forms.DateTimeField(
        label="Access ends",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Revocable at any time before",
    )
    documents = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their versions in force (published and superseded)",
    )
    versions = forms.ModelMultipleChoiceField(
        queryset=DocumentVersion.objects.none(),
        required=False,
        help_text="Single versions, drafts included (hold Ctrl to choose several)",
    )
    evidence = forms.ModelMultipleChoiceField(
        queryset=EvidenceFile.objects.none(), required=False, label="Evidence files"
    )
    registers = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )
    system = forms.ModelChoiceField(
        queryset=ManagementSystem.objects.none(),
        required=False,
        label="Stage 1 rehearsal of",
        help_text="Lets the body run the stage 1 rehearsal on this system",
    )

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "documents", forms.ModelChoiceField).queryset = Document.objects.filter(
            organization=organization, archived_at__isnull=True
        ).order_by("code")
        field_of(self, "versions", forms.ModelChoiceField).queryset = (
            DocumentVersion.objects.filter(organization=organization)
            .select_related("document")
            .order_by("document__code", "-number")
        )
        self.fields["versions"].label_from_instance = (  # type: ignore[attr-defined]
            lambda v: f"{v.document.code} v{v.number} ({v.get_status_display().lower()})"
        )
        field_of(self, "evidence", forms.ModelChoiceField).queryset = EvidenceFile.objects.filter(
            organization=organization
        ).order_by("original_name")
        registers = sorted(shareable_registers().items(), key=lambda item: item[1])
        field_of(self, "registers", forms.ChoiceField).choices = registers
        field_of(self, "system", forms.ModelChoiceField).queryset = ManagementSystem.objects.filter(
            organization=organization
        ).order_by("name")
        if not self.is_bound:
            self.initial.setdefault("ends_at", _local_input(timezone.now() + dt.timedelta(days=14)))


class RevokeForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(max_length=500)


class RequestForm(StyledFormMixin, forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=EvidenceRequest.Kind.choices)
    sample_size = forms.IntegerField(min_value=1, max_value=1000, required=False)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    audit = forms.ChoiceField(required=False, label="For the audit")

    def __init__(self, *args: Any, audits: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "audit", forms.ChoiceField).choices = [("", "The engagement as a whole")] + [
            (a.pk, str(a)) for a in audits
        ]


class AnswerForm(StyledFormMixin, forms.Form):
    documents = forms.ModelMultipleChoiceField(
        queryset=Document.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    evidence = forms.ModelMultipleChoiceField(
        queryset=EvidenceFile.objects.none(), required=False, label="Evidence files"
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "documents", forms.ModelChoiceField).queryset = Document.objects.filter(
            organization=organization, archived_at__isnull=True
        ).order_by("code")
        field_of(self, "evidence", forms.ModelChoiceField).queryset = EvidenceFile.objects.filter(
            organization=organization
        ).order_by("original_name")


class ReviewAnswerForm(StyledFormMixin, forms.Form):
    accept = forms.TypedChoiceField(
        choices=[("yes", "Accept the answer"), ("no", "Return it")],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(max_length=20_000, required=False)
