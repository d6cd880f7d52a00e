"""Pages of access grants (the client's side) and of what the provider reads under them.
Every read under a grant goes through `services.shared`, which logs it in the client's log."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.core.exceptions import NotFound, ServiceError
from pdca.core.registers.display import cells, header
from pdca.core.views import add_service_error, member_required
from pdca.documents.markdown import render_markdown
from pdca.engagements import access
from pdca.engagements.links import forms, lookups
from pdca.engagements.links.views import get_or_404
from pdca.engagements.models import AccessGrant
from pdca.engagements.services import grants, shared


@member_required
def grant_new(request, pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    if not access.may_grant(request.user, engagement):
        raise Http404("No such engagement.")
    client = engagement.client_organization
    form = forms.GrantForm(request.POST or None, organization=client)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grant = grants.grant_access(
                engagement,
                purpose=data["purpose"],
                starts_at=None,
                ends_at=data["ends_at"],
                documents=[d.pk for d in data["documents"]],
                versions=[v.pk for v in data["versions"]],
                evidence=[f.pk for f in data["evidence"]],
                registers=list(data["registers"]),
                system=data["system"].pk if data["system"] else None,
                actor=request.user,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{engagement.organization} may read it until the end date.")
            return redirect("engagements:grant", grant.pk)
    return render(
        request,
        "engagements/grant_form.html",
        {"engagement": engagement, "form": form},
        status=422 if form.errors else 200,
    )


def _grant_or_404(request, pk: int) -> AccessGrant:
    try:
        return lookups.grant(request.user, pk)
    except NotFound:
        raise Http404("No such grant.") from None


@member_required
def grant_detail(request, pk: int) -> HttpResponse:
    grant = _grant_or_404(request, pk)
    engagement = grant.engagement
    return render(
        request,
        "engagements/grant_detail.html",
        {
            "grant": grant,
            "engagement": engagement,
            "side": access.side_of(request.user, engagement),
            "documents": list(grant.documents.order_by("code")),
            "versions": list(grant.versions.select_related("document").order_by("pk")),
            "evidence": list(grant.evidence.order_by("original_name")),
            "registers": [(s, grants.shareable_registers().get(s, s)) for s in grant.registers],
            "log": list(shared.access_log(grant)[:200]),
            "may_revoke": access.may_grant(request.user, engagement) and grant.state == "active",
            "revoke_form": forms.RevokeForm(),
        },
    )


@member_required
@require_POST
def grant_revoke(request, pk: int) -> HttpResponse:
    grant = _grant_or_404(request, pk)
    form = forms.RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the access ends.")
    else:
        try:
            grants.revoke_grant(grant, form.cleaned_data["reason"], actor=request.user)
            messages.success(request, "Access revoked: the body's next request is refused.")
        except ServiceError as exc:
            messages.error(request, exc.message)
    return redirect("engagements:grant", grant.pk)


def _shared(call):
    try:
        return call()
    except NotFound:
        raise Http404("Nothing shared with you has this id.") from None


@member_required
def shared_document(request, pk: int, doc_pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    read = _shared(lambda: shared.read_document(engagement, doc_pk, actor=request.user))
    return render(
        request,
        "engagements/shared_document.html",
        {
            "engagement": engagement,
            "document": read.document,
            "versions": [(v, render_markdown(v.content)) for v in read.versions],
            "grant": read.grant,
        },
    )


@member_required
def shared_version(request, pk: int, version_pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    version = _shared(lambda: shared.read_version(engagement, version_pk, actor=request.user))
    return render(
        request,
        "engagements/shared_document.html",
        {
            "engagement": engagement,
            "document": version.document,
            "versions": [(version, render_markdown(version.content))],
        },
    )


@member_required
def shared_evidence(request, pk: int, file_pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    try:
        download = _shared(
            lambda: shared.download_evidence(engagement, file_pk, actor=request.user)
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("engagements:detail", engagement.pk)
    return download.as_response()


@member_required
def shared_register(request, pk: int, slug: str) -> HttpResponse:
    engagement = get_or_404(request, pk)
    register = _shared(lambda: shared.read_register(engagement, slug, actor=request.user))
    spec = register.spec
    return render(
        request,
        "engagements/shared_register.html",
        {
            "engagement": engagement,
            "spec": spec,
            "grant": register.grant,
            "headers": [header(spec, c) for c in spec.columns],
            "rows": [[cells(spec, row, c) for c in spec.columns] for row in register.rows],
        },
    )
