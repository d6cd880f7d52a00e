"""Account rules: creating people, their API tokens, and checking a presented token."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from pdca.accounts.models import ApiToken, User
from pdca.core.activity import record_activity, record_create, record_update, snapshot
from pdca.core.concurrency import lock_for_update, save_changed
from pdca.core.exceptions import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed

TOKEN_PREFIX = "pdca_"
MAX_TOKEN_DAYS = 366


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_email(email: str, field: str = "email") -> str:
    email = normalize_email(email)
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed.single(field, "Enter a valid e-mail address.") from None
    return email


@transaction.atomic
def create_user(
    *,
    email: str,
    full_name: str = "",
    password: str | None = None,
    is_superuser: bool = False,
    actor: User | None = None,
) -> User:
    """Create a person; without a password they sign in after a password reset."""
    email = check_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(f"A user with the e-mail address {email} already exists.", code="duplicate")
    if password:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except DjangoValidationError as exc:
            raise ValidationFailed([FieldError("password", m) for m in exc.messages]) from None
    if is_superuser:
        user = User.objects.create_superuser(email, password, full_name=full_name.strip())
    else:
        user = User.objects.create_user(email, password, full_name=full_name.strip())
    record_create(actor=actor, obj=user)
    return user


@transaction.atomic
def update_profile(user: User, *, full_name: str, actor: User) -> User:
    if actor.pk != user.pk:
        raise PermissionDenied("You may only change your own profile.")
    lock_for_update(user)
    before = snapshot(user)
    user.full_name = full_name.strip()[:150]
    save_changed(user)
    record_update(actor=actor, obj=user, before=before)
    return user


@transaction.atomic
def create_api_token(
    user: User,
    *,
    name: str,
    expires_in_days: int | None = None,
    actor: User,
) -> tuple[ApiToken, str]:
    """Create a token; returns it with its secret, which is never available again."""
    if actor.pk != user.pk:
        raise PermissionDenied("You may only create tokens for yourself.")
    name = (name or "").strip()
    errors = []
    if not name:
        errors.append(FieldError("name", "Give the token a name, e.g. the script that uses it."))
    elif len(name) > 100:
        errors.append(FieldError("name", "Use at most 100 characters."))
    if expires_in_days is not None and not (1 <= expires_in_days <= MAX_TOKEN_DAYS):
        errors.append(
            FieldError("expires_in_days", f"Choose between 1 and {MAX_TOKEN_DAYS} days, or none.")
        )
    if errors:
        raise ValidationFailed(errors)
    prefix = secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=_digest(secret), expires_at=expires_at
    )
    record_create(actor=actor, obj=token)
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor: User) -> ApiToken:
    if actor.pk != token.user_id:
        raise NotFound("No such token.")
    if token.revoked_at:
        raise Conflict("This token is already revoked.", code="already_revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_activity(
        actor=actor,
        action="revoke",
        obj=token,
        changes={"revoked_at": [None, token.revoked_at]},
    )
    return token


def authenticate_token(raw: str) -> User | None:
    """The active user a presented token belongs to, or None (wrong, revoked or expired)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    parts = raw[len(TOKEN_PREFIX) :].split("_", 1)
    if len(parts) != 2:
        return None
    token = ApiToken.objects.usable().select_related("user").filter(prefix=parts[0]).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Stamp usage at most once a minute, so busy scripts do not write on every request.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.user.api_token = token
    return token.user
