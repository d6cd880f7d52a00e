"""How django-axes names the account behind a sign-in attempt."""

from __future__ import annotations

from django.conf import settings

from pdca.accounts.services import normalize_email


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """The e-mail address of a sign-in attempt as it is stored (trimmed, lower case).

    Sign-in accepts the address in any case, so the failed-attempt count must too: otherwise
    "Ann@x" and "ann@x" would be counted apart and a lockout dodged by changing the case.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        raw = credentials.get(field)
    else:
        raw = getattr(request, "data", request.POST).get(field)
    return normalize_email(raw) if raw else raw
