"""Pages of engagements: the list, the invitation and its link, one engagement from either
side, ending it. Thin: the rules are in `pdca.engagements.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.core.exceptions import NotFound, ServiceError
from pdca.core.views import add_service_error, member_required, require_page
from pdca.engagements import access
from pdca.engagements.links import forms, selectors
from pdca.engagements.models import Engagement
from pdca.engagements.services import links


def get_or_404(request, pk: int) -> Engagement:
    try:
        return access.get_engagement(request.user, pk)
    except NotFound:
        raise Http404("No such engagement.") from None


@member_required
def engagement_list(request) -> HttpResponse:
    org = request.organization
    rows = list(selectors.listed(request.user, org))
    is_provider = org.kind in (org.Kind.CERTIFICATION_BODY, org.Kind.CONSULTANCY)
    return render(
        request,
        "engagements/engagement_list.html",
        {
            "rows": rows,
            "is_provider": is_provider,
            "may_invite": is_provider and access.may_link_in(request.user, org),
        },
    )


@member_required
def engagement_invite(request) -> HttpResponse:
    org = request.organization
    require_page(request, "add", Engagement, organization=org)
    form = forms.InviteForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = links.invite_client(
                org,
                email=data["email"],
                title=data["title"],
                client=data.get("client"),
                notes=data["notes"],
                actor=request.user,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            return render(
                request,
                "engagements/engagement_invited.html",
                {"engagement": invited.engagement, "url": invited.url},
                status=201,
            )
    return render(
        request,
        "engagements/engagement_invite.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


def _refused(request, exc: ServiceError, engagement: Engagement | None = None) -> HttpResponse:
    return render(
        request,
        "engagements/invitation.html",
        {"refusal": exc.message, "engagement": engagement},
        status=exc.status,
    )


@login_required
def invitation(request, token: str) -> HttpResponse:
    """The page the invitation link opens: the invited manager accepts it for an
    organization they manage, or declines it."""
    try:
        engagement = links.engagement_for_token(token)
    except NotFound as exc:
        return _refused(request, exc)
    choices = links.client_choices(request.user)
    form = forms.AcceptForm(request.POST or None, choices=choices)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "decline":
                links.decline_engagement(token, actor=request.user)
                messages.info(request, f"You declined the link with {engagement.organization}.")
                return redirect("/")
            if form.is_valid():
                chosen = next(o for o in choices if str(o.pk) == form.cleaned_data["organization"])
                accepted = links.accept_engagement(token, chosen, actor=request.user)
                messages.success(
                    request,
                    f"{chosen} is linked to {engagement.organization}. Nothing of yours is "
                    "shared until you grant it.",
                )
                return redirect("engagements:detail", accepted.pk)
        except ServiceError as exc:
            if exc.status == 409:
                return _refused(request, exc, engagement)
            add_service_error(form, exc)
    return render(
        request,
        "engagements/invitation.html",
        {
            "engagement": engagement,
            "form": form,
            "choices": choices,
            "user_matches": request.user.email.lower() == engagement.invited_email.lower(),
        },
        status=422 if form.errors else 200,
    )


@member_required
def engagement_detail(request, pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    data = selectors.detail(engagement, request.user)
    return render(
        request,
        "engagements/engagement_detail.html",
        {
            "data": data,
            "engagement": engagement,
            "may_link": access.may_link(request.user, engagement)
            or access.may_link_client(request.user, engagement),
            "may_grant": access.may_grant(request.user, engagement),
            "may_audit": access.may_audit(request.user, engagement),
            "end_form": forms.EndForm(),
        },
    )


@member_required
@require_POST
def engagement_end(request, pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    form = forms.EndForm(request.POST)
    try:
        if not form.is_valid():
            messages.error(request, "Say why the link ends.")
        else:
            links.end_engagement(engagement, form.cleaned_data["reason"], actor=request.user)
            messages.success(request, "The link is ended; every open grant was revoked.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("engagements:detail", engagement.pk)


@member_required
@require_POST
def engagement_withdraw(request, pk: int) -> HttpResponse:
    engagement = get_or_404(request, pk)
    try:
        links.withdraw_invitation(engagement, actor=request.user)
        messages.success(request, "The invitation was withdrawn.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("engagements:detail", engagement.pk)
