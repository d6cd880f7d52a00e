"""Pages of invitations: a manager invites, resends and revokes; the invitee answers on the
page the e-mailed link opens (signed in, or creating their account there)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pdca.accounts.models import User
from pdca.core.exceptions import NotFound, ServiceError, ValidationFailed
from pdca.core.roles import Role
from pdca.core.views import add_service_error, member_required, object_for_page, require_page
from pdca.tenancy.forms import InviteForm, JoinForm
from pdca.tenancy.invitations import services as invitations
from pdca.tenancy.middleware import SESSION_KEY
from pdca.tenancy.models import Invitation

LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


@member_required
def member_invite(request):
    org = request.organization
    require_page(request, "add", Invitation, organization=org)
    form = InviteForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitations.invite_member(org, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("tenancy:member_list")
    return render(request, "tenancy/member_invite.html", {"form": form})


def _managed(request, pk: int) -> Invitation:
    queryset = Invitation.objects.filter(organization=request.organization)
    return object_for_page(request, queryset, pk, "change")


@member_required
@require_POST
def invitation_resend(request, pk: int):
    invitation = _managed(request, pk)
    try:
        invitations.resend_invitation(invitation, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"A new invitation link was sent to {invitation.email}.")
    return redirect("tenancy:member_list")


@member_required
@require_POST
def invitation_revoke(request, pk: int):
    invitation = _managed(request, pk)
    try:
        invitations.revoke_invitation(invitation, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation of {invitation.email} was revoked.")
    return redirect("tenancy:member_list")


# --- the invitee's page -------------------------------------------------------------------


def _refused(request, exc: ServiceError, invitation: Invitation | None = None):
    return render(
        request,
        "tenancy/invitation.html",
        {"refusal": exc.message, "invitation": invitation},
        status=exc.status,
    )


def _joined(request, membership):
    request.session[SESSION_KEY] = membership.organization_id
    messages.success(
        request,
        f"Welcome to {membership.organization}: you are a member as {Role(membership.role).label}.",
    )
    return redirect("/")


def invitation(request, token: str):
    """The page the invitation link opens: accept, decline, or create an account and join."""
    try:
        found = invitations.invitation_for_token(token)
        invitations.check_open(found)
    except NotFound as exc:
        return _refused(request, exc)
    except ServiceError as exc:
        return _refused(request, exc, found)
    user = request.user if request.user.is_authenticated else None
    has_account = user is not None or User.objects.filter(email__iexact=found.email).exists()
    join_form = None if has_account else JoinForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                return _joined(request, invitations.accept_invitation(token, actor=user))
            if action == "decline":
                invitations.decline_invitation(token, actor=user)
                return render(
                    request, "tenancy/invitation.html", {"invitation": found, "declined": True}
                )
            if action == "join" and join_form is not None and join_form.is_valid():
                membership = invitations.join_with_new_account(
                    token,
                    full_name=join_form.cleaned_data["full_name"],
                    password=join_form.cleaned_data["password1"],
                )
                login(request, membership.user, backend=LOGIN_BACKEND)
                return _joined(request, membership)
        except ValidationFailed as exc:
            if join_form is None:
                raise
            for error in exc.errors:
                field = "password1" if error.field == "password" else error.field
                join_form.add_error(field if field in join_form.fields else None, error.message)
        except ServiceError as exc:
            if join_form is not None and action == "join":
                add_service_error(join_form, exc)
            else:
                messages.error(request, exc.message)
    return render(
        request,
        "tenancy/invitation.html",
        {
            "invitation": found,
            "role_label": Role(found.role).label,
            "user_matches": user is not None and user.email.lower() == found.email.lower(),
            "signed_in": user is not None,
            "join_form": join_form,
        },
        status=422 if join_form is not None and join_form.errors else 200,
    )
