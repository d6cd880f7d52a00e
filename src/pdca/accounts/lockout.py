"""How django-axes names the account behind a sign-in attempt, and when it locks it."""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

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


class AccountLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a lock on the account as a whole.

    Axes counts failures per account and address (`AXES_LOCKOUT_PARAMETERS`), so someone
    guessing from many addresses would never be stopped. Here the failures of one account from
    every address within the cool-off period are added up too; at
    `PDCA_LOGIN_ACCOUNT_FAILURE_LIMIT` (higher than the per-address limit, so one person
    mistyping is not locked out by it) the account is locked from everywhere. Attempts are
    counted for any address typed, existing account or not, so the refusal is the same for
    both and tells nothing about which accounts exist.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        username = get_client_username(request, credentials)
        if not username:
            return failures
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        total = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
        if total >= settings.PDCA_LOGIN_ACCOUNT_FAILURE_LIMIT:
            # Reported as the per-address limit reached, which is what makes axes refuse.
            return max(failures, get_failure_limit(request, credentials))
        return failures
