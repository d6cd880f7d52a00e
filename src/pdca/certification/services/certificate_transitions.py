"""Changing a certificate's status: the one function of the workflow, `transition_certificate`,
and the table of allowed moves. Each change writes a `CertificateEvent` (the certificate's
history) and an activity-log entry. `renewed` is reached only when a decision issues the
successor (services.certificates.issue_certificate).

Moves: active or scope-reduced → suspended; suspended → active (restored); active,
scope-reduced or suspended → withdrawn; active, suspended or scope-reduced → scope_reduced (new
scope text and/or fewer sites); active, scope-reduced or suspended → expired (the day after the
last valid day; the daily job does it; or, proposed, the day after the transition of one of
its editions ended). Withdrawn, expired and renewed are final here: an expired certificate
comes back only through a restoration decision, which issues a new one.

A transfer to a new edition of a standard (ISO 14001:2015 to ISO 14001:2026) is a move of its
own, `transfer`: the status stays (active or scope-reduced), the standards change, and the
event keeps the editions before and after. Only a granted transition decision makes it (the
decision service passes itself as `decision`), as only a decision renews.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from pdca.certification.models import (
    Certificate,
    CertificateEvent,
    CertificationDecision,
    ClientSite,
)
from pdca.certification.services.editions import standards_query, transitions_of
from pdca.core.activity import record_activity, snapshot
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import require

if TYPE_CHECKING:
    from pdca.accounts.models import User
    from pdca.standards.models import Standard

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
    standards_from: list[str] | None = None,
    standards_to: list[str] | None = None,
) -> CertificateEvent:
    return CertificateEvent.objects.create(
        organization_id=certificate.organization_id,
        certificate=certificate,
        from_status=from_status,
        to_status=to_status,
        on=on,
        reason=reason[:REASON_MAX],
        by=actor if getattr(actor, "is_authenticated", False) else None,
        standards_from=standards_from or [],
        standards_to=standards_to or [],
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
#: The transfer to a new edition: the status stays, the standards change (by a decision only).
TRANSFER: dict[str, Move] = {
    status: Move("transfer", status, status, "Transfer to the new edition") for status in IN_FORCE
}


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
        ended = transition_ended_on(certificate, on)
        if ended is None:
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


def transition_ended_on(certificate: Certificate, on: dt.date) -> dt.date | None:
    """The end of the earliest transition of the certificate's editions that has ended by
    `on` (its certificates are not valid after it), or None (one query)."""
    ended = [t.ends for t in transitions_of(certificate.standards.all()) if t.ended(on)]
    return min(d for d in ended if d is not None) if ended else None


def _transfer_problem(
    certificate: Certificate, new: list[Standard], on: dt.date
) -> tuple[str, str] | None:
    """(code, message) saying why the certificate may not move to the editions `new` on `on`;
    None: it may. Each edition of the certificate either stays or is replaced by its
    successor; at least one is replaced; the transition must not have ended."""
    if certificate.status not in IN_FORCE:
        return (
            "certificate_not_in_force",
            f"Certificate {certificate.number} is {certificate.get_status_display().lower()}: "
            "only a certificate in force is transferred to a new edition.",
        )
    if on < certificate.status_changed_on:
        return (
            "date_before_last_change",
            "The date must be on or after the last change of status "
            f"({certificate.status_changed_on}).",
        )
    if on > certificate.expires_on:
        return (
            "past_expiry",
            f"The certificate expired on {certificate.expires_on}; "
            "only expiry is possible after it.",
        )
    for found in transitions_of(certificate.standards.all()):
        if found.successor in new and found.ended(on):
            return (
                "transition_ended",
                f"The transition to {found.successor.full_name} ended on {found.ends}: "
                f"a certificate to {found.standard.full_name} can no longer be transferred.",
            )
    return None


def _transfer_standards(certificate: Certificate, standards: Iterable[Any]) -> list[Standard]:
    """The editions the certificate moves to, checked against those it holds: each kept, or
    replaced by the edition that replaces it, and at least one replaced."""
    current = list(certificate.standards.all().select_related("replaced_by"))
    chosen = list(standards_query().filter(pk__in=[getattr(s, "pk", s) for s in standards]))
    allowed = {s.pk for s in current} | {t.successor.pk for t in transitions_of(current)}
    wrong = [s for s in chosen if s.pk not in allowed]
    if wrong or not chosen:
        names = ", ".join(s.full_name for s in wrong) or "none"
        raise ValidationFailed.single(
            "standards",
            f"Not the certificate's editions or the ones replacing them: {names}.",
            "not_a_successor",
        )
    by_pk = {s.pk: s for s in chosen}
    for old in current:
        successor = old.successor
        if old.pk in by_pk and successor is not None and successor.pk in by_pk:
            raise ValidationFailed.single(
                "standards",
                f"{old.full_name} and {successor.full_name} together: a transfer replaces one "
                "edition with the other.",
                "both_editions",
            )
        if old.pk not in by_pk and (successor is None or successor.pk not in by_pk):
            raise ValidationFailed.single(
                "standards",
                f"{old.full_name} is left out: a transfer keeps every standard of the "
                "certificate, each in its current or its new edition.",
                "standard_dropped",
            )
    if {s.pk for s in chosen} == {s.pk for s in current}:
        raise ValidationFailed.single(
            "standards", "No edition changes: nothing to transfer.", "unchanged"
        )
    return chosen


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
    standards: Iterable[Any] | None = None,
    decision: CertificationDecision | None = None,
) -> Certificate:
    """Move the certificate to status `to` (suspended, active when restoring, withdrawn,
    scope_reduced with the new `scope` text and/or `sites`, expired) on the date `on` (today by
    default), for `reason`. A refused move raises Conflict with a stable code
    (`invalid_transition`, `renewal_by_decision`, `not_yet_expired`, `past_expiry`,
    `date_before_last_change`); bad input raises ValidationFailed naming the field. `actor`
    None is the daily job (expiry only).

    With `standards` (and `to` its current status) it is the transfer to a new edition: only
    the granted transition `decision` does it (`transfer_by_decision` otherwise); refused with
    `certificate_not_in_force` or `transition_ended`."""
    transfer = standards is not None
    if transfer:
        if (
            decision is None
            or decision.kind != CertificationDecision.Kind.TRANSITION
            or decision.outcome != CertificationDecision.Outcome.GRANTED
            or decision.organization_id != certificate.organization_id
        ):
            raise Conflict(
                "A certificate moves to a new edition only through a granted transition "
                "decision, after its transition audit.",
                code="transfer_by_decision",
            )
    elif actor is None:
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
    if to == S.SCOPE_REDUCED and not new_scope and sites is None and not transfer:
        errors.append(
            FieldError("scope", "Give the reduced scope text or the sites that remain.", "required")
        )
    if to != S.SCOPE_REDUCED and (scope is not None or sites is not None):
        errors.append(
            FieldError("scope", "Scope and sites change only with a scope reduction.", "invalid")
        )
    if errors:
        raise ValidationFailed(errors)
    if transfer:
        assert standards is not None
        return _transfer(certificate, to, standards, actor=actor, reason=reason, on=on)
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


def _transfer(
    certificate: Certificate,
    to: str,
    standards: Iterable[Any],
    *,
    actor: Any,
    reason: str,
    on: dt.date,
) -> Certificate:
    """The transfer move of `transition_certificate` (its input already checked)."""
    lock_for_update(certificate, check=False)
    if to != certificate.status:
        raise ValidationFailed.single(
            "to",
            f"A transfer keeps the status ({certificate.status}); it changes the editions only.",
            "invalid",
        )
    new = _transfer_standards(certificate, standards)
    problem = _transfer_problem(certificate, new, on)
    if problem:
        raise Conflict(problem[1], code=problem[0])
    move = TRANSFER[certificate.status]
    before = sorted(s.code for s in certificate.standards.all())
    after = sorted(s.code for s in new)
    certificate.standards.set(new)
    certificate.save(update_fields=["updated_at"])
    record_event(
        certificate,
        from_status=certificate.status,
        to_status=certificate.status,
        on=on,
        reason=reason,
        actor=actor,
        standards_from=before,
        standards_to=after,
    )
    record_activity(
        actor=actor,
        action=move.name,
        obj=certificate,
        changes={"standards": [before, after]},
        message=reason,
    )
    return certificate
