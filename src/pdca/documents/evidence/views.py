"""Pages of the evidence store: the organization's files (where each is used), uploading one
or several files at once, a file's page (SHA-256, history), its description, download and
deletion. Thin pages over pdca.documents.evidence.services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse

from pdca.core.exceptions import ServiceError, ValidationFailed
from pdca.core.forms import StyledFormMixin
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import (
    add_service_error,
    member_required,
    object_for_page,
    paginate,
    require_page,
)
from pdca.documents import filetypes
from pdca.documents.evidence import services
from pdca.documents.models import DocumentVersion, EvidenceFile

TYPE_LABELS = {t.content_type: t.label for t in filetypes.ALLOWED}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or several files chosen at once; cleans to a list."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return [single(None, initial)]
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(StyledFormMixin, forms.Form):
    # A declared field: the form's metaclass takes it out of the class, so `self.files`
    # (the request's files) is not shadowed; the stubs cannot see that.
    files = MultipleFileField(  # type: ignore[assignment]
        label="Files",
        help_text="One or several files: PDF, images, Word, Excel, PowerPoint, OpenDocument, "
        "text or CSV. The type is read from the content, not from the name.",
    )
    description = forms.CharField(
        max_length=services.MAX_DESCRIPTION,
        required=False,
        help_text="What the files show (applies to each file uploaded here)",
    )


class DescribeForm(StyledFormMixin, forms.Form):
    description = forms.CharField(
        max_length=services.MAX_DESCRIPTION, required=False, widget=forms.Textarea({"rows": 3})
    )


def _versions():
    return Prefetch(
        "versions",
        queryset=DocumentVersion.objects.select_related("document").order_by(
            "document__code", "number"
        ),
    )


def _evidence(request, pk: int, action: str = "view") -> EvidenceFile:
    evidence = object_for_page(
        request,
        EvidenceFile.objects.filter(organization=request.organization)
        .select_related("uploaded_by")
        .prefetch_related(_versions()),
        pk,
        action,
    )
    return evidence


def _upload_error(form: forms.Form, exc: ServiceError) -> None:
    """A refusal of one file goes on the files field; anything else where it belongs."""
    if isinstance(exc, ValidationFailed):
        for error in exc.errors:
            form.add_error("files" if error.field == "file" else None, error.message)
    else:
        add_service_error(form, exc)


@member_required
def evidence_list(request):
    org = request.organization
    require_page(request, "view", EvidenceFile, organization=org)
    files = scope(
        EvidenceFile.objects.filter(organization=org)
        .select_related("uploaded_by")
        .prefetch_related(_versions())
        .order_by("-created_at", "-pk"),
        request.user,
    )
    q = request.GET.get("q", "").strip()[:200]
    kind = request.GET.get("type", "").strip()[:120]
    if q:
        files = files.filter(Q(original_name__icontains=q) | Q(description__icontains=q))
    if kind:
        files = files.filter(content_type=kind)
    types = sorted(
        scope(EvidenceFile.objects.filter(organization=org), request.user)
        .values_list("content_type", flat=True)
        .distinct()
    )
    page = paginate(request, files)
    for evidence in page.object_list:
        evidence.type_label = TYPE_LABELS.get(evidence.content_type, evidence.content_type)
    return render(
        request,
        "documents/evidence_list.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "types": [(t, TYPE_LABELS.get(t, t)) for t in types],
            "can_add": may(request.user, "add", EvidenceFile, organization=org),
        },
    )


@member_required
def evidence_upload(request):
    org = request.organization
    require_page(request, "add", EvidenceFile, organization=org)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST" and form.is_valid():
        stored: list[EvidenceFile] = []
        refused = False
        for upload in form.cleaned_data["files"]:
            try:
                stored.append(
                    services.store_evidence(
                        org,
                        upload,
                        actor=request.user,
                        description=form.cleaned_data["description"],
                    )
                )
            except ServiceError as exc:
                refused = True
                _upload_error(form, exc)
        for evidence in stored:
            already = "" if evidence.created else " (already held: the existing file is kept)"
            messages.success(request, f"{evidence.original_name} stored{already}.")
        if not refused:
            if len(stored) == 1:
                return redirect("documents:evidence-detail", stored[0].pk)
            return redirect("documents:evidence-list")
    return render(
        request,
        "documents/evidence_upload.html",
        {"form": form, "max_mb": services.max_upload_bytes() // (1024 * 1024)},
    )


@member_required
def evidence_detail(request, pk: int):
    evidence = _evidence(request, pk)
    return render(request, "documents/evidence_detail.html", _detail_context(request, evidence))


def _detail_context(request, evidence: EvidenceFile, **extra) -> dict:
    return {
        "evidence": evidence,
        "type_label": TYPE_LABELS.get(evidence.content_type, evidence.content_type),
        "versions": list(evidence.versions.all()),
        "history": history_of(evidence, request.user)[:50],
        "can_change": may(request.user, "change", evidence),
        "can_delete": may(request.user, "delete", evidence),
        **extra,
    }


@member_required
def evidence_edit(request, pk: int):
    evidence = _evidence(request, pk, "change")
    form = DescribeForm(request.POST or None, initial={"description": evidence.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_evidence(
                evidence, actor=request.user, description=form.cleaned_data["description"]
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{evidence.original_name} saved.")
            return redirect("documents:evidence-detail", evidence.pk)
    return render(request, "documents/evidence_form.html", {"form": form, "evidence": evidence})


@member_required
def evidence_delete(request, pk: int):
    evidence = _evidence(request, pk, "delete")
    detail = reverse("documents:evidence-detail", args=[evidence.pk])
    if request.method == "POST":
        try:
            services.delete_evidence(evidence, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect(detail)
        messages.success(request, f"{evidence.original_name} deleted.")
        return redirect("documents:evidence-list")
    return render(request, "web/confirm_delete.html", {"object": evidence, "cancel_href": detail})


@member_required
def evidence_download(request, pk: int):
    evidence = _evidence(request, pk)
    try:
        download = services.open_evidence(evidence, actor=request.user)
    except ServiceError as exc:
        context = _detail_context(request, evidence, refused=exc.message)
        return render(request, "documents/evidence_detail.html", context, status=exc.status)
    return download.as_response()
