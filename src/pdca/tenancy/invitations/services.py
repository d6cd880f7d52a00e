"""Joining an organization by invitation: invite, resend, revoke, accept, decline.

A manager invites an e-mail address with a role; the person follows the link mailed to them,
signs in (or creates their account) and accepts. Only then is there a membership. What the
manager is told never depends on whether the address has an account: they see the invitation
they made, nothing about the person. The link's secret is stored as a SHA-256 digest only, so
a copy of the database gives nobody a way in; mail leaves after the transaction commits, sent
by a job that makes the secret itself, so it is not in the task queue either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from pdca.accounts.models import User
from pdca.accounts.services import check_email, create_user
from pdca.core.activity import record_activity, snapshot
from pdca.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from pdca.core.jobs.models import Job
from pdca.core.jobs.registry import JobOutcome, Progress, job_kind
from pdca.core.jobs.services import enqueue_job
from pdca.core.permissions import require
from pdca.core.roles import Role
from pdca.tenancy.models import Invitation, Membership, Organization
from pdca.tenancy.services import _check_role, grant_membership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

#: How long an invitation link stays valid (resending starts a new period).
INVITATION_DAYS = 14
#: The job that mails an invitation's link.
INVITATION_MAIL = "invitation_mail"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, _digest(secret)


def invitation_url(secret: str) -> str:
    return f"{settings.PDCA_BASE_URL}{reverse('tenancy:invitation', args=[secret])}"


def _send(invitation: Invitation, secret: str) -> None:
    """The same mail whether or not the address has an account: the page behind the link
    offers to sign in or to create one. A mail server that refuses raises (the job fails and
    can be retried)."""
    org = invitation.organization
    inviter = invitation.invited_by
    who = (inviter.full_name or inviter.email) if inviter else "The administrator of pdca"
    expires = timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M %Z")
    subject = f"You are invited to join {org} on pdca"
    body = (
        f"{who} invites you to join {org} on pdca as {Role(invitation.role).label}.\n\n"
        f"Accept or decline here (the link works until {expires}):\n"
        f"{invitation_url(secret)}\n\n"
        "If you do not know why you received this, you can ignore it: nothing happens "
        "unless you accept.\n"
    )
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[invitation.email])


def _send_after_commit(invitation: Invitation) -> None:
    """Queue the invitation's mail once the change commits. The job makes the link's secret
    itself and stores only its digest: the secret is nowhere but in the mail, not even in the
    queue. Until then the invitation's digest is that of a secret nobody has."""
    params = {"invitation": invitation.pk, "sent": invitation.sent_count}
    organization_id = invitation.organization_id

    def queue() -> None:
        enqueue_job(
            INVITATION_MAIL,
            organization=organization_id,
            actor=None,
            params=params,
            title=f"Invitation e-mail to {invitation.email}",
        )

    transaction.on_commit(queue)


@job_kind(INVITATION_MAIL, title="Invitation e-mail", queue="mail", logged=False)
def run_invitation_mail(job: Job, progress: Progress) -> JobOutcome:
    """Mail a fresh link for a pending invitation, unless a later resend or an answer
    superseded this mail."""
    progress(0, 1, "Sending the invitation")
    with transaction.atomic():
        invitation = (
            # Only the invitation's row is locked (its inviter may be empty: an outer join).
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(pk=job.params["invitation"])
            .first()
        )
        if invitation is None or invitation.status != Invitation.Status.PENDING:
            return JobOutcome(summary={"sent": False}, message="The invitation is not pending.")
        if invitation.sent_count != job.params["sent"]:
            return JobOutcome(summary={"sent": False}, message="A newer link was sent since.")
        # Bookkeeping of the link, not a change of the invitation: the digest is never logged.
        secret, digest = _new_secret()
        Invitation.objects.filter(pk=invitation.pk).update(token_digest=digest)
    _send(invitation, secret)
    return JobOutcome(summary={"sent": True}, message=f"Sent to {invitation.email}.")


def _record(
    invitation: Invitation,
    action: str,
    *,
    actor: User | None,
    before: dict[str, Any] | None = None,
    message: str = "",
) -> None:
    after = snapshot(invitation)
    if before is None:
        changes = {k: [None, v] for k, v in after.items() if v not in (None, "", [], {})}
    else:
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    record_activity(actor=actor, action=action, obj=invitation, changes=changes, message=message)


def _authorize(
    actor: User | None,
    action: str,
    target: Invitation | type[Invitation],
    organization: Organization | None = None,
) -> None:
    """Managers of the organization only; `actor=None` is the operator at the command line,
    trusted like a platform administrator (as in `pdca createuser`)."""
    if actor is not None:
        require(actor, action, target, organization=organization)


def _locked(invitation: Invitation) -> Invitation:
    return (
        Invitation.objects.select_for_update().select_related("organization").get(pk=invitation.pk)
    )


@transaction.atomic
def invite_member(
    organization: Organization,
    *,
    email: str,
    role: str,
    job_title: str = "",
    actor: User | None,
) -> Invitation:
    """Invite an e-mail address to join with a role; the person becomes a member only when
    they accept. The answer is the same whether or not the address has an account."""
    _authorize(actor, "add", Invitation, organization)
    email = check_email(email)
    _check_role(organization, role)
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise Conflict(f"{email} is already a member of {organization}.", code="duplicate")
    if Invitation.objects.filter(
        organization=organization, email=email, status=Invitation.Status.PENDING
    ).exists():
        raise Conflict(
            f"{email} already has a pending invitation; resend or revoke it instead.",
            code="already_invited",
        )
    # A link nobody has until the mail's job makes the real one (see _send_after_commit).
    _secret, digest = _new_secret()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organization=organization,
                email=email,
                role=role,
                job_title=(job_title or "").strip(),
                invited_by=actor if getattr(actor, "is_authenticated", False) else None,
                token_digest=digest,
                expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:  # another manager invited the same address at the same moment
        raise Conflict(
            f"{email} already has a pending invitation; resend or revoke it instead.",
            code="already_invited",
        ) from None
    _record(invitation, "invite", actor=actor)
    _send_after_commit(invitation)
    return invitation


def _require_pending(invitation: Invitation, doing: str) -> None:
    if invitation.status != Invitation.Status.PENDING:
        raise Conflict(
            f"This invitation is {invitation.get_status_display().lower()}; only a pending "
            f"invitation can be {doing}.",
            code=f"invitation_{invitation.status}",
        )


@transaction.atomic
def resend_invitation(invitation: Invitation, *, actor: User | None) -> Invitation:
    """Mail a new link (the old one stops working) valid for another full period; an expired
    invitation is renewed this way."""
    _authorize(actor, "change", invitation)
    invitation = _locked(invitation)
    _require_pending(invitation, "resent")
    before = snapshot(invitation)
    _secret, invitation.token_digest = _new_secret()  # the old link stops working now
    invitation.expires_at = timezone.now() + dt.timedelta(days=INVITATION_DAYS)
    invitation.sent_count += 1
    invitation.save(update_fields=["token_digest", "expires_at", "sent_count", "updated_at"])
    _record(invitation, "resend", actor=actor, before=before)
    _send_after_commit(invitation)
    return invitation


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, actor: User | None) -> Invitation:
    """Withdraw a pending invitation: its link stops working; the row stays as a record."""
    _authorize(actor, "change", invitation)
    invitation = _locked(invitation)
    _require_pending(invitation, "revoked")
    before = snapshot(invitation)
    invitation.status = Invitation.Status.REVOKED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    _record(invitation, "revoke", actor=actor, before=before)
    return invitation


# --- the invitee's side -------------------------------------------------------------------


def invitation_for_token(secret: str) -> Invitation:
    """The invitation a link's secret belongs to, in any state; NotFound for a wrong one."""
    if not secret or len(secret) > 100:
        raise NotFound("This invitation link is not valid.", code="invitation_invalid")
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_digest=_digest(secret))
        .first()
    )
    if invitation is None:
        raise NotFound("This invitation link is not valid.", code="invitation_invalid")
    return invitation


REFUSALS: dict[str, str] = {
    Invitation.Status.ACCEPTED: "This invitation has already been accepted.",
    Invitation.Status.DECLINED: "This invitation has been declined.",
    Invitation.Status.REVOKED: "This invitation has been withdrawn by the organization.",
}


def check_open(invitation: Invitation) -> None:
    """Refuse, clearly, an invitation that can no longer be answered."""
    if invitation.status in REFUSALS:
        raise Conflict(REFUSALS[invitation.status], code=f"invitation_{invitation.status}")
    if invitation.is_expired:
        raise Conflict(
            "This invitation has expired; ask the organization to send a new one.",
            code="invitation_expired",
        )


def _check_invitee(invitation: Invitation, user: User | AnonymousUser | None) -> User:
    """The signed-in user the invitation was sent to."""
    if not isinstance(user, User):  # nobody, or not signed in
        raise PermissionDenied("Sign in to answer this invitation.", code="sign_in_required")
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied(
            f"This invitation is for {invitation.email}; sign in with that address to answer it.",
            code="other_address",
        )
    return user


def _open_for(secret: str, user: User | AnonymousUser | None) -> tuple[Invitation, User]:
    invitation = invitation_for_token(secret)
    invitee = _check_invitee(invitation, user)
    invitation = _locked(invitation)
    check_open(invitation)
    return invitation, invitee


def _accept(invitation: Invitation, user: User) -> Membership:
    if Membership.objects.filter(organization=invitation.organization, user=user).exists():
        raise Conflict(
            f"You are already a member of {invitation.organization}.", code="already_member"
        )
    before = snapshot(invitation)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.responded_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "responded_at", "accepted_by", "updated_at"])
    _record(invitation, "accept", actor=user, before=before)
    return grant_membership(
        invitation.organization,
        user,
        invitation.role,
        actor=user,
        job_title=invitation.job_title,
    )


@transaction.atomic
def accept_invitation(secret: str, *, actor: User | AnonymousUser | None) -> Membership:
    """The signed-in invitee accepts: they become a member with the invited role."""
    invitation, invitee = _open_for(secret, actor)
    _check_role(invitation.organization, invitation.role)
    return _accept(invitation, invitee)


@transaction.atomic
def join_with_new_account(secret: str, *, full_name: str, password: str) -> Membership:
    """Someone without an account accepts by creating it (name and password) from the link."""
    invitation = _locked(invitation_for_token(secret))
    check_open(invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise Conflict(
            f"An account for {invitation.email} exists; sign in to accept the invitation.",
            code="sign_in_required",
        )
    if not password:
        raise ValidationFailed.single("password", "Choose a password.")
    user = create_user(email=invitation.email, full_name=full_name, password=password, actor=None)
    return _accept(invitation, user)


@transaction.atomic
def decline_invitation(secret: str, *, actor: User | AnonymousUser | None) -> Invitation:
    """The invitee turns the invitation down; nothing else changes. Someone with an account
    signs in first; someone without one declines from the link alone (actor None)."""
    user = actor if isinstance(actor, User) else None
    invitation = invitation_for_token(secret)
    if user is not None or User.objects.filter(email__iexact=invitation.email).exists():
        _check_invitee(invitation, user)
    invitation = _locked(invitation)
    check_open(invitation)
    before = snapshot(invitation)
    invitation.status = Invitation.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation.save(update_fields=["status", "responded_at", "updated_at"])
    message = "" if user else f"Declined from the link sent to {invitation.email}."
    _record(invitation, "decline", actor=user, before=before, message=message)
    return invitation
