"""Sign-in, the profile page and personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pdca.accounts import services
from pdca.accounts.forms import LoginForm, ProfileForm, TokenForm
from pdca.accounts.models import ApiToken
from pdca.core.exceptions import ServiceError
from pdca.core.views import add_service_error


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _profile_context(request, **extra):
    return {
        "tokens": ApiToken.objects.filter(user=request.user),
        # Through the user's own reverse relation: accounts sits below tenancy.
        "my_memberships": request.user.memberships.filter(
            organization__is_active=True
        ).select_related("user", "organization"),
        "profile_form": extra.pop("profile_form", None)
        or ProfileForm(initial={"full_name": request.user.full_name}),
        "token_form": extra.pop("token_form", None) or TokenForm(),
        **extra,
    }


@login_required
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.update_profile(
                    request.user, full_name=form.cleaned_data["full_name"], actor=request.user
                )
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Profile saved.")
                return redirect("accounts:profile")
        return render(
            request, "accounts/profile.html", _profile_context(request, profile_form=form)
        )
    return render(request, "accounts/profile.html", _profile_context(request))


@login_required
@require_POST
def create_token(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = services.create_api_token(
                request.user,
                name=form.cleaned_data["name"],
                expires_in_days=form.cleaned_data["expires_in_days"],
                actor=request.user,
            )
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            # Rendered, not redirected: the secret must not be stored anywhere, not even a session.
            return render(
                request,
                "accounts/profile.html",
                _profile_context(request, new_token=token, new_secret=secret),
            )
    return render(
        request, "accounts/profile.html", _profile_context(request, token_form=form), status=422
    )


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    try:
        services.revoke_api_token(token, actor=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("accounts:profile")
