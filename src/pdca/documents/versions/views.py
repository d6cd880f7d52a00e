"""Pages of document versions and acknowledgements: writing a version (Markdown with a live
preview, or a file), the version page with its workflow steps, the review queue, asking people
to read a published version, confirming it, the acknowledgement report, and the part of the
document's own page under its fields (`document_detail_context`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from pdca.core.exceptions import FieldError, PermissionDenied, ServiceError, ValidationFailed
from pdca.core.permissions import may, scope
from pdca.core.selectors import history_of
from pdca.core.views import add_service_error, member_required, require_page, scoped_or_404
from pdca.documents import acknowledgements as acks
from pdca.documents.markdown import render_markdown
from pdca.documents.models import Acknowledgement, Document, DocumentVersion
from pdca.documents.versions import services
from pdca.documents.versions.forms import MAX_CONTENT, AckRequestForm, TransitionForm, VersionForm

Status = DocumentVersion.Status
STATUS_BADGES: dict[str, str] = {
    Status.DRAFT: "text-bg-secondary",
    Status.IN_REVIEW: "text-bg-warning",
    Status.APPROVED: "text-bg-info",
    Status.PUBLISHED: "text-bg-success",
    Status.SUPERSEDED: "text-bg-light",
    Status.OBSOLETE: "text-bg-dark",
}


def document_url(document_id: int) -> str:
    return reverse("documents:documents-detail", args=[document_id])


def file_url(file_id: int) -> str:
    """Where a version's file downloads (the evidence store's permission-checked page)."""
    try:
        return reverse("documents:evidence-download", args=[file_id])
    except NoReverseMatch:
        return f"/evidence/{file_id}/download/"


def _version(request, pk: int) -> DocumentVersion:
    version = scoped_or_404(
        DocumentVersion.objects.filter(organization=request.organization).select_related(
            "document", "author", "approved_by", "file"
        ),
        request.user,
        pk=pk,
    )
    version.badge = STATUS_BADGES[version.status]  # type: ignore[attr-defined]  # for templates
    return version


def _refused(request, exc: ServiceError, version: DocumentVersion):
    """A permission refusal is a 403; anything else is explained on the version's page."""
    if isinstance(exc, PermissionDenied) and exc.code in ("permission_denied", "not_asked"):
        raise DjangoPermissionDenied(exc.message)
    messages.error(request, exc.message)
    return redirect("documents:version-detail", version.pk)


def _posted(request):
    """The form data of a POST (even an empty one, which must show its errors), else None."""
    return request.POST if request.method == "POST" else None


def _store(request, upload):
    """The uploaded file kept in the evidence store; its refusal is shown on the upload."""
    # Imported here: the evidence store is its own module, loaded only when a file comes.
    from pdca.documents.evidence.services import store_evidence

    try:
        return store_evidence(request.organization, upload, actor=request.user)
    except ValidationFailed as exc:
        raise ValidationFailed(
            [
                FieldError("upload" if e.field == "file" else e.field, e.message, e.code)
                for e in exc.errors
            ]
        ) from None


# --- writing ------------------------------------------------------------------------------


@member_required
def version_create(request, document_pk: int):
    document = Document.objects.filter(organization=request.organization, pk=document_pk).first()
    if document is None:
        raise Http404("No such document.")
    require_page(request, "change", document)
    current = services.open_version(document)
    form = VersionForm(_posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused version leaves no upload behind
                file = _store(request, data["upload"]) if data["upload"] else None
                version = services.create_version(
                    document,
                    actor=request.user,
                    content="" if file else data["content"],
                    file=file,
                    change_summary=data["change_summary"],
                )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"v{version.number} started as a draft.")
            return redirect("documents:version-detail", version.pk)
    elif request.method == "GET":
        published = services.published_version(document)
        form.initial = {"content": published.content if published else ""}
    return render(
        request,
        "documents/version_form.html",
        {"form": form, "document": document, "open": current, "version": None},
    )


@member_required
def version_edit(request, pk: int):
    version = _version(request, pk)
    require_page(request, "change", version.document)
    if version.status != Status.DRAFT:
        messages.error(
            request,
            f"v{version.number} is {version.get_status_display().lower()}: "
            "only a draft is changed.",
        )
        return redirect("documents:version-detail", version.pk)
    form = VersionForm(
        _posted(request),
        request.FILES or None,
        initial={"content": version.content, "change_summary": version.change_summary},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The service works on its own copy, so a refused change does not show here as saved.
        target = DocumentVersion.objects.select_related("document", "file").get(pk=version.pk)
        try:
            with transaction.atomic():  # a refused change leaves no upload behind
                fields = {"content": data["content"], "change_summary": data["change_summary"]}
                if data["upload"]:
                    fields.update(content="", file=_store(request, data["upload"]))
                elif data["content"].strip() and version.file_id:
                    fields["file"] = None  # writing Markdown replaces the uploaded file
                services.update_version(target, actor=request.user, **fields)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"v{version.number} saved.")
            return redirect("documents:version-detail", version.pk)
    return render(
        request,
        "documents/version_form.html",
        {
            "form": form,
            "document": version.document,
            "version": version,
            "file_url": file_url(version.file_id) if version.file_id else None,
        },
    )


@member_required
def version_delete(request, pk: int):
    version = _version(request, pk)
    require_page(request, "change", version.document)
    if request.method == "POST":
        try:
            services.delete_version(version, actor=request.user)
        except ServiceError as exc:
            return _refused(request, exc, version)
        messages.success(request, f"Draft v{version.number} deleted.")
        return redirect(document_url(version.document_id))
    return render(
        request,
        "web/confirm_delete.html",
        {
            "object": version,
            "cancel_href": reverse("documents:version-detail", args=[version.pk]),
        },
    )


@member_required
@require_POST
def version_preview(request):
    """The Markdown of the editor as it will read (an htmx fragment)."""
    require_page(request, "view", DocumentVersion, organization=request.organization)
    text = request.POST.get("content", "")[:MAX_CONTENT]
    return HttpResponse(render_markdown(text) or '<p class="text-muted">Nothing to show yet.</p>')


# --- the version page and its steps -------------------------------------------------------


@member_required
def version_detail(request, pk: int):
    version = _version(request, pk)
    document = version.document
    approvals = list(version.approvals.select_related("reviewer"))
    is_published = version.status == Status.PUBLISHED
    mine = version.acknowledgements.filter(user=request.user).first()
    return render(
        request,
        "documents/version_detail.html",
        {
            "version": version,
            "document": document,
            "document_url": document_url(document.pk),
            "rendered": render_markdown(version.content) if version.content else "",
            "file_url": file_url(version.file_id) if version.file_id else None,
            "approvals": approvals,
            "actions": services.actions_for(version, request.user),
            "can_edit": version.status == Status.DRAFT and may(request.user, "change", document),
            "summary": acks.summaries([version]).get(version.pk, (0, 0)),
            "can_request": is_published
            and may(request.user, "add", Acknowledgement, organization=version.organization_id),
            "can_report": acks.may_see_report(request.user, version),
            "my_ack": mine,
            "today": services.today(),
            "history": history_of(version, request.user)[:50],
        },
    )


@member_required
@require_POST
def version_transition(request, pk: int, step: str):
    version = _version(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("documents:version-detail", version.pk)
    try:
        services.transition_version(
            version,
            step,
            actor=request.user,
            comment=form.cleaned_data["comment"],
            effective_date=form.cleaned_data["effective_date"],
        )
    except ServiceError as exc:
        return _refused(request, exc, version)
    label = services.TRANSITIONS[step].label if step in services.TRANSITIONS else step
    messages.success(request, f"{label}: v{version.number} is now {version.get_status_display()}.")
    return redirect("documents:version-detail", version.pk)


@member_required
def review_queue(request):
    """Versions in review that the user may approve (never their own)."""
    org = request.organization
    require_page(request, "view", DocumentVersion, organization=org)
    can_approve = may(request.user, "approve", DocumentVersion, organization=org)
    versions = (
        scope(
            DocumentVersion.objects.filter(organization=org, status=Status.IN_REVIEW), request.user
        )
        .exclude(author=request.user)
        .select_related("document", "author")
        .order_by("submitted_at", "pk")
        if can_approve
        else DocumentVersion.objects.none()
    )
    return render(
        request,
        "documents/review_queue.html",
        {"versions": list(versions[:200]), "can_approve": can_approve},
    )


# --- acknowledgements ---------------------------------------------------------------------


@member_required
def ack_request(request, pk: int):
    version = _version(request, pk)
    require_page(request, "add", Acknowledgement, organization=version.organization_id)
    form = AckRequestForm(_posted(request), organization=request.organization)
    previous = acks.previous_published(version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "same_people" in request.POST:
                made = acks.request_same_people(
                    version, actor=request.user, due_date=data["due_date"]
                )
            else:
                made = acks.request_acknowledgement(
                    version,
                    actor=request.user,
                    roles=data["roles"],
                    users=list(data["users"]),
                    due_date=data["due_date"],
                )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{len(made)} person(s) asked to read v{version.number}.")
            return redirect("documents:ack-report", version.pk)
    return render(
        request,
        "documents/ack_request.html",
        {"form": form, "version": version, "document": version.document, "previous": previous},
    )


@member_required
def ack_confirm(request, pk: int):
    """The published version to read, and the button confirming it was read."""
    version = _version(request, pk)
    if request.method == "POST":
        try:
            acks.acknowledge(version, actor=request.user)
        except ServiceError as exc:
            return _refused(request, exc, version)
        messages.success(request, f"Thank you: your reading of {version} is recorded.")
        return redirect("documents:my-acknowledgements")
    mine = version.acknowledgements.filter(user=request.user).first()
    if mine is None:
        raise DjangoPermissionDenied("You were not asked to acknowledge this version.")
    return render(
        request,
        "documents/ack_confirm.html",
        {
            "version": version,
            "document": version.document,
            "ack": mine,
            "rendered": render_markdown(version.content) if version.content else "",
            "file_url": file_url(version.file_id) if version.file_id else None,
        },
    )


@member_required
def ack_report(request, pk: int):
    version = _version(request, pk)
    try:
        report = acks.report_for(request.user, version)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from None
    return render(
        request,
        "documents/ack_report.html",
        {
            "version": version,
            "document": version.document,
            "report": report,
            "full": acks.may_see_report(request.user, version),
            "can_request": version.status == Status.PUBLISHED
            and may(request.user, "add", Acknowledgement, organization=version.organization_id),
        },
    )


@member_required
def my_acknowledgements(request):
    """What the user was asked to read, pending first."""
    require_page(request, "view", Acknowledgement, organization=request.organization)
    rows = list(acks.my_acknowledgements(request.user, request.organization)[:500])
    today = acks.today()
    for ack in rows:
        ack.overdue = (  # type: ignore[attr-defined]  # for the template
            ack.acknowledged_at is None and ack.due_date and ack.due_date < today
        )
    return render(request, "documents/ack_mine.html", {"rows": rows})


# --- the document's page ------------------------------------------------------------------


def document_detail_context(request, document) -> dict:
    """The part of a document's page under its fields: the published content, the versions,
    the open version and its steps, who read the published version, and the review flag."""
    versions = list(document.versions.select_related("author", "approved_by").order_by("-number"))
    for version in versions:
        version.document = document
        version.badge = STATUS_BADGES[version.status]
    published = next((v for v in versions if v.status == Status.PUBLISHED), None)
    current = next((v for v in versions if v.status in services.OPEN), None)
    user = request.user
    summary = acks.summaries([published]).get(published.pk, (0, 0)) if published else (0, 0)
    mine = (
        published.acknowledgements.filter(user=user, acknowledged_at__isnull=True).first()
        if published
        else None
    )
    today = services.today()
    return {
        "versions": versions,
        "published": published,
        "rendered": render_markdown(published.content) if published and published.content else "",
        "file_url": file_url(published.file_id) if published and published.file_id else None,
        "open": current,
        "actions": services.actions_for(current, user) if current else [],
        "published_actions": services.actions_for(published, user) if published else [],
        "can_request": published is not None
        and may(user, "add", Acknowledgement, organization=document.organization_id),
        "can_write": may(user, "change", document),
        "can_start": current is None and may(user, "change", document),
        "summary": summary,
        "my_pending": mine,
        "can_report": published is not None and acks.may_see_report(user, published),
        "review_overdue": bool(
            document.review_due and not document.obsolete and document.review_due < today
        ),
        "today": today,
    }
