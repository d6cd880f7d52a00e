"""Issuing certificates and changing their status.

`issue_certificate` is called by the decision service, inside its transaction, for a granted
decision. Every later change of a certificate goes through `transition_certificate`, the one
function of the workflow; each writes a `CertificateEvent` (the certificate's history) and an
activity-log entry. Certificates are records: never deleted.

Numbers: an initial certificate takes the body's prefix and its next sequence number
(`NB-000042`). A recertification, a restoration or a scope change issues a new certificate
that keeps the base number with a revision suffix (`NB-000042-R1`, `-R2`…), links the one it
replaces (`previous`) and turns that one to `renewed`. A client's certificate is therefore
recognisable across its cycles while every issued document has a number of its own, which is
what the public verification page looks up.

Editions: no certificate is issued to an edition whose transition has ended, and no new or
renewed one (initial, recertification, restoration) after the new edition's
`new_certificates_until` (`edition_replaced`, see services.editions). A granted transition
decision issues nothing: it transfers the certificate in force (services.transitions).

Scope: a reduction decided by the body (usually to end a suspension) changes the certificate
in place, status `scope_reduced`, with the new scope text and sites; a granted scope-change
decision (an extension, or a reduction decided by the decision maker) issues a new revision
with the cycle's standards, scope and sites, keeping the dates of the cycle.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction

from pdca.certification.models import (
    Certificate,
    CertificationBodyProfile,
    CertificationCycle,
    CertificationDecision,
)
from pdca.certification.services import dates
from pdca.certification.services.accreditation import check_accreditation
from pdca.certification.services.certificate_transitions import (
    IN_FORCE,
    REASON_MAX,
    record_event,
    transition_certificate,
)
from pdca.certification.services.editions import issuing_problem, standards_query
from pdca.core.activity import record_activity, record_create, snapshot
from pdca.core.concurrency import lock_for_update, serialize_on
from pdca.core.exceptions import Conflict
from pdca.core.tenants import tenant_model

__all__ = ["current_certificate", "issue_certificate", "transition_certificate"]

S = Certificate.Status
K = CertificationDecision.Kind

#: Prefix used when the body has no profile yet.
DEFAULT_PREFIX = "CERT"
#: Digits of the sequence part of a number (NB-000042).
SEQUENCE_DIGITS = 6


# --- the body's profile ------------------------------------------------------------------------


def body_profile(organization: Any, *, create: bool = False) -> CertificationBodyProfile | None:
    """The certification body's profile, or None when it has none yet (its defaults apply).
    `create` makes it with its defaults (a write: issuing does it, pages that only read
    do not)."""
    from pdca.certification.services.profile import get_profile, is_certification_body

    if create and is_certification_body(organization):
        return get_profile(organization)
    return CertificationBodyProfile.objects.filter(organization=organization).first()


def certificate_prefix(profile: CertificationBodyProfile | None) -> str:
    prefix = (profile.certificate_prefix if profile else "").strip()
    return prefix or DEFAULT_PREFIX


# --- numbers -----------------------------------------------------------------------------------


def base_number(number: str) -> str:
    """'NB-000042-R2' → 'NB-000042'."""
    return re.sub(r"-R\d+$", "", number)


def next_initial_number(organization: Any, prefix: str) -> str:
    """The body's next sequence number with `prefix`. Numbers are unique across every body
    here, so a number another body already holds (same prefix) is skipped."""
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    own = Certificate.objects.filter(
        organization=organization, number__startswith=f"{prefix}-"
    ).values_list("number", flat=True)
    sequence = max((int(m.group(1)) for n in own if (m := pattern.match(n))), default=0) + 1
    while True:
        number = f"{prefix}-{sequence:0{SEQUENCE_DIGITS}d}"
        if not Certificate.objects.filter(number=number).exists():
            return number
        sequence += 1


def revision_number(previous: Certificate) -> str:
    """The next revision of `previous`'s base number: 'NB-000042' → 'NB-000042-R1'."""
    base = base_number(previous.number)
    revision = 1
    while Certificate.objects.filter(number=f"{base}-R{revision}").exists():
        revision += 1
    return f"{base}-R{revision}"


# --- issuing -----------------------------------------------------------------------------------


def current_certificate(cycle: CertificationCycle) -> Certificate | None:
    """The latest certificate of the cycle, else of the cycle it renews, that has not been
    replaced yet: the one a new decision replaces."""
    cycles = [cycle.pk] + ([cycle.previous_id] if cycle.previous_id else [])
    for cycle_id in cycles:
        found = (
            Certificate.objects.filter(cycle_id=cycle_id)
            .exclude(status=S.RENEWED)
            .order_by("-issued_on", "-pk")
            .first()
        )
        if found is not None:
            return found
    return None


def _refuse(message: str, code: str) -> Conflict:
    return Conflict(message, code=code)


def _check_predecessor(kind: str, previous: Certificate | None, decided_on: dt.date) -> None:
    """Refuse a decision kind that does not fit the certificate it would replace."""
    if kind == K.INITIAL:
        if previous is not None and previous.status != S.WITHDRAWN:
            raise _refuse(
                f"The cycle already has certificate {previous.number} "
                f"({previous.get_status_display().lower()}); an initial decision cannot issue "
                "another one.",
                "certificate_exists",
            )
        return
    if previous is None:
        raise _refuse(
            f"A {K(kind).label.lower()} needs a certificate to replace; this cycle (and the one "
            "it renews) has none.",
            "no_certificate_to_replace",
        )
    if kind == K.RESTORATION:
        if previous.status != S.EXPIRED:
            raise _refuse(
                f"Certificate {previous.number} has not expired "
                f"({previous.get_status_display().lower()}); restore only an expired one, or "
                "decide a recertification.",
                "not_expired",
            )
        deadline = dates.restoration_deadline(previous.expires_on)
        if decided_on > deadline:
            raise _refuse(
                f"Certificate {previous.number} expired on {previous.expires_on}; it could be "
                f"restored until {deadline}. Later, the client needs a new initial "
                "certification (at least a stage 2).",
                "restoration_too_late",
            )
        return
    if previous.status not in IN_FORCE:
        hint = (
            " Decide a restoration instead."
            if previous.status == S.EXPIRED and kind == K.RECERTIFICATION
            else ""
        )
        raise _refuse(
            f"Certificate {previous.number} is {previous.get_status_display().lower()}; a "
            f"{K(kind).label.lower()} replaces only a certificate in force.{hint}",
            "certificate_not_in_force",
        )
    if kind == K.RECERTIFICATION and decided_on > previous.expires_on:
        raise _refuse(
            f"Certificate {previous.number} expired on {previous.expires_on}: a recertification "
            "must be decided before expiry. Decide a restoration instead.",
            "recertification_after_expiry",
        )


@transaction.atomic
def issue_certificate(decision: CertificationDecision, *, actor: Any) -> Certificate:
    """Issue the certificate a granted decision calls for (see the module's docstring for
    numbers and scope changes), update the cycle (decision date, expiry, certified) and link
    the decision to it. Called by the decision service, which has checked the decision maker;
    so no permission is checked here."""
    if decision.outcome != CertificationDecision.Outcome.GRANTED:
        raise _refuse("Only a granted decision issues a certificate.", "decision_not_granted")
    if decision.kind == K.TRANSITION:
        raise _refuse(
            "A transition decision transfers the certificate in force to the new edition; it "
            "issues none.",
            "transfer_not_issue",
        )
    cycle = CertificationCycle.objects.select_related("client", "application").get(
        pk=decision.cycle_id
    )
    organization = cycle.organization
    # One issuer at a time per body: sequence numbers never collide.
    serialize_on(tenant_model(), organization.pk)
    decided_on = decision.decided_on
    previous = current_certificate(cycle)
    _check_predecessor(decision.kind, previous, decided_on)
    if previous is not None and decision.kind == K.INITIAL:
        previous = None  # an initial decision after a withdrawal starts afresh
    standards = list(standards_query().filter(pk__in=cycle.standards.values("pk")))
    problem = issuing_problem(standards, decided_on, renewal=decision.kind != K.SCOPE_CHANGE)
    if problem:
        raise _refuse(problem, "edition_replaced")
    profile = body_profile(organization, create=True)
    client = cycle.client
    sites = list(cycle.sites.all())
    sectors = client.sector_codes or (cycle.application.sector_codes if cycle.application else "")
    check = check_accreditation(organization, standards, sectors, decided_on)
    if previous is None:
        number = next_initial_number(organization, certificate_prefix(profile))
        original = decided_on
        expires = dates.expiry_date(decided_on)
    else:
        lock_for_update(previous, check=False)
        number = revision_number(previous)
        original = previous.original_issued_on
        expires = (
            previous.expires_on
            if decision.kind == K.SCOPE_CHANGE
            else dates.renewed_expiry(previous.expires_on)
        )
    certificate = Certificate.objects.create(
        organization=organization,
        number=number,
        client=client,
        cycle=cycle,
        scope=cycle.scope,
        client_name=client.legal_name or client.name,
        issued_on=decided_on,
        original_issued_on=original,
        expires_on=expires,
        status=S.ACTIVE,
        status_changed_on=decided_on,
        status_reason="",
        accredited=check.accredited,
        accreditation_body=(profile.accreditation_body if profile and check.accredited else ""),
        accreditation_number=(profile.accreditation_number if profile and check.accredited else ""),
        previous=previous,
    )
    certificate.standards.set(standards)
    certificate.sites.set(sites)
    reason = f"Issued on the {K(decision.kind).label.lower()} decision of {decided_on}"
    if not check.accredited:
        reason += f"; issued without accreditation ({check.reason})"
    record_event(
        certificate, from_status="", to_status=S.ACTIVE, on=decided_on, reason=reason, actor=actor
    )
    record_create(actor=actor, obj=certificate, message=reason[:REASON_MAX])
    if previous is not None:
        _replace(previous, certificate, on=decided_on, actor=actor)
    _certify_cycle(cycle, decision, certificate, actor=actor)
    decision.certificate = certificate
    if decision.pk:
        CertificationDecision.objects.filter(pk=decision.pk).update(certificate=certificate)
    return certificate


def _replace(previous: Certificate, new: Certificate, *, on: dt.date, actor: Any) -> None:
    """The replaced certificate goes to `renewed` (only ever from here)."""
    before = snapshot(previous)
    from_status = previous.status
    reason = f"Replaced by {new.number}"
    previous.status = S.RENEWED
    previous.status_changed_on = on
    previous.status_reason = reason
    previous.save(update_fields=["status", "status_changed_on", "status_reason", "updated_at"])
    record_event(
        previous, from_status=from_status, to_status=S.RENEWED, on=on, reason=reason, actor=actor
    )
    record_activity(
        actor=actor,
        action="renew",
        obj=previous,
        changes={k: [before[k], v] for k, v in snapshot(previous).items() if before.get(k) != v},
        message=reason,
    )


def _certify_cycle(
    cycle: CertificationCycle,
    decision: CertificationDecision,
    certificate: Certificate,
    *,
    actor: Any,
) -> None:
    lock_for_update(cycle, check=False)
    before = snapshot(cycle)
    fields = ["status"]
    cycle.status = CertificationCycle.Status.CERTIFIED
    if decision.kind != K.SCOPE_CHANGE or cycle.decision_date is None:
        cycle.decision_date = decision.decided_on
        cycle.expiry_date = certificate.expires_on
        fields += ["decision_date", "expiry_date"]
    cycle.save(update_fields=[*fields, "updated_at"])
    after = snapshot(cycle)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes:
        record_activity(
            actor=actor,
            action="certify",
            obj=cycle,
            changes=changes,
            message=f"Certificate {certificate.number} issued",
        )
