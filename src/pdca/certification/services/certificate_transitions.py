"""Changing a certificate's status: the one function of the workflow, `transition_certificate`,
and the table of allowed moves. Each change writes a `CertificateEvent` (the certificate's
history) and an activity-log entry. `renewed` is reached only when a decision issues the
successor (services.certificates.issue_certificate).

Moves: active or scope-reduced → suspended; suspended → active (restored); active,
scope-reduced or suspended → withdrawn; active, suspended or scope-reduced → scope_reduced (new
scope text and/or fewer sites); active, scope-reduced or suspended → expired (the day after the
last valid day; the daily job does it). Withdrawn, expired and renewed are final here: an
expired certificate comes back only through a restoration decision, which issues a new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.certification.models import Certificate, CertificateEvent, ClientSite
from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require

if TYPE_CHECKING:
    from pdca.accounts.models import User

S = Certificate.Status

#: Statuses in which a certificate is in force (scope_reduced is in force, for less).
IN_FORCE = (S.ACTIVE, S.SCOPE_REDUCED)
REASON_MAX = 500


def record_event(
    certificate: Certificate,
    *,
    from_status: str,
    to_status: str,
    on: dt.date,
    reason: str,
    actor: User | None,
) -> CertificateEvent:
    return CertificateEvent.objects.create(
        organization_id=certificate.organization_id,
        certificate=certificate,
        from_status=from_status,
        to_status=to_status,
        on=on,
        reason=reason[:REASON_MAX],
        by=actor if getattr(actor, "is_authenticated", False) else None,
    )


@dataclass(frozen=True)
class Move:
    """One allowed change of a certificate's status: its name (the activity entry's action)."""

    name: str
    source: str
    target: str
    label: str


MOVES: tuple[Move, ...] = (
    Move("suspend", S.ACTIVE, S.SUSPENDED, "Suspend"),
    Move("suspend", S.SCOPE_REDUCED, S.SUSPENDED, "Suspend"),
    Move("restore", S.SUSPENDED, S.ACTIVE, "Restore"),
    Move("withdraw", S.ACTIVE, S.WITHDRAWN, "Withdraw"),
    Move("withdraw", S.SCOPE_REDUCED, S.WITHDRAWN, "Withdraw"),
    Move("withdraw", S.SUSPENDED, S.WITHDRAWN, "Withdraw"),
    Move("reduce_scope", S.ACTIVE, S.SCOPE_REDUCED, "Reduce the scope"),
    Move("reduce_scope", S.SUSPENDED, S.SCOPE_REDUCED, "Reduce the scope"),
    Move("reduce_scope", S.SCOPE_REDUCED, S.SCOPE_REDUCED, "Reduce the scope"),
    Move("expire", S.ACTIVE, S.EXPIRED, "Expire"),
    Move("expire", S.SCOPE_REDUCED, S.EXPIRED, "Expire"),
    Move("expire", S.SUSPENDED, S.EXPIRED, "Expire"),
)
MOVE_BY_PAIR = {(m.source, m.target): m for m in MOVES}


def moves_from(status: str) -> list[Move]:
    return [m for m in MOVES if m.source == status]


def transition_problem(certificate: Certificate, to: str, on: dt.date) -> tuple[str, str] | None:
    """(code, message) saying why `certificate` may not move to `to` on `on`; None: it may."""
    labels = dict(S.choices)
    if to not in labels:
        return "invalid_status", f"“{to}” is not a status of a certificate."
    if to == S.RENEWED:
        return (
            "renewal_by_decision",
            "A certificate is renewed only by a granted recertification, restoration or scope "
            "change decision, which issues its successor.",
        )
    if (certificate.status, to) not in MOVE_BY_PAIR:
        now = labels[certificate.status].lower()
        final = (
            " It is final: nothing changes it any more."
            if not moves_from(certificate.status)
            else ""
        )
        return (
            "invalid_transition",
            f"A certificate that is {now} cannot become {labels[to].lower()}.{final}",
        )
    if on < certificate.status_changed_on:
        return (
            "date_before_last_change",
            "The date must be on or after the last change of status "
            f"({certificate.status_changed_on}).",
        )
    if to == S.EXPIRED and on <= certificate.expires_on:
        return (
            "not_yet_expired",
            f"The certificate is valid until {certificate.expires_on}; "
            "it expires on the day after.",
        )
    if to != S.EXPIRED and on > certificate.expires_on:
        return (
            "past_expiry",
            f"The certificate expired on {certificate.expires_on}; "
            "only expiry is possible after it.",
        )
    return None


def _site_list(certificate: Certificate, sites: Iterable[Any] | None) -> list[ClientSite] | None:
    if sites is None:
        return None
    current = {site.pk: site for site in certificate.sites.all()}
    chosen: list[ClientSite] = []
    for site in sites:
        pk = getattr(site, "pk", site)
        if pk not in current:
            raise ValidationFailed.single(
                "sites",
                f"Site {pk} is not one of the certificate's sites; a reduction keeps some of them.",
                "not_a_site",
            )
        chosen.append(current[pk])
    if not chosen:
        raise ValidationFailed.single(
            "sites", "Keep at least one site, or withdraw the certificate.", "required"
        )
    return chosen


@transaction.atomic
def transition_certificate(
    certificate: Certificate,
    to: str,
    *,
    actor: Any,
    reason: str,
    on: dt.date | None = None,
    scope: str | None = None,
    sites: Iterable[Any] | None = None,
) -> Certificate:
    """Move the certificate to status `to` (suspended, active when restoring, withdrawn,
    scope_reduced with the new `scope` text and/or `sites`, expired) on the date `on` (today by
    default), for `reason`. A refused move raises Conflict with a stable code
    (`invalid_transition`, `renewal_by_decision`, `not_yet_expired`, `past_expiry`,
    `date_before_last_change`); bad input raises ValidationFailed naming the field. `actor`
    None is the daily job (expiry only)."""
    if actor is None:
        if to != S.EXPIRED:
            raise Conflict("Only expiry happens without a person.", code="actor_required")
    else:
        require(actor, "change", certificate)
    reason = (reason or "").strip()
    errors: list[FieldError] = []
    if not reason:
        errors.append(FieldError("reason", "Give the reason for the change.", "required"))
    elif len(reason) > REASON_MAX:
        errors.append(
            FieldError(
                "reason", f"At most {REASON_MAX} characters ({len(reason)} given).", "too_long"
            )
        )
    today = timezone.localdate()
    on = on or today
    if on > today:
        errors.append(FieldError("on", "The date cannot be in the future.", "future"))
    new_scope = (scope or "").strip() if scope is not None else None
    if to == S.SCOPE_REDUCED and not new_scope and sites is None:
        errors.append(
            FieldError("scope", "Give the reduced scope text or the sites that remain.", "required")
        )
    if to != S.SCOPE_REDUCED and (scope is not None or sites is not None):
        errors.append(
            FieldError("scope", "Scope and sites change only with a scope reduction.", "invalid")
        )
    if errors:
        raise ValidationFailed(errors)
    lock_for_update(certificate)
    problem = transition_problem(certificate, to, on)
    if problem:
        raise Conflict(problem[1], code=problem[0])
    move = MOVE_BY_PAIR[(certificate.status, to)]
    kept_sites = _site_list(certificate, sites) if to == S.SCOPE_REDUCED else None
    if to == S.SCOPE_REDUCED:
        same_scope = new_scope in (None, "", certificate.scope)
        same_sites = kept_sites is None or len(kept_sites) == certificate.sites.count()
        if same_scope and same_sites:
            raise ValidationFailed.single(
                "scope", "Neither the scope text nor the sites change.", "unchanged"
            )
    before = snapshot(certificate)
    from_status = certificate.status
    certificate.status = to
    certificate.status_changed_on = on
    certificate.status_reason = reason
    fields = ["status", "status_changed_on", "status_reason"]
    if new_scope:
        certificate.scope = new_scope
        fields.append("scope")
    certificate.save(update_fields=[*fields, "updated_at"])
    changes = {
        k: [before.get(k), v] for k, v in snapshot(certificate).items() if before.get(k) != v
    }
    if kept_sites is not None:
        old_sites = sorted(str(s) for s in certificate.sites.all())
        certificate.sites.set(kept_sites)
        changes["sites"] = [old_sites, sorted(str(s) for s in kept_sites)]
    record_event(
        certificate, from_status=from_status, to_status=to, on=on, reason=reason, actor=actor
    )
    record_activity(actor=actor, action=move.name, obj=certificate, changes=changes, message=reason)
    return certificate
