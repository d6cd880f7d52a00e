"""The independent certification decision (17021-1 9.5) and the checklist it is taken against.

The decider is someone who was on no audit team of the cycle and holds the decision maker's
role (rule DEC-01). Granting needs every item of the checklist: the deciding audit's report
issued, every major's plan accepted and actions verified (within six months of stage 2 for an
initial certification), every minor's plan accepted, scope and sites confirmed, the audit time
delivered as planned or the deviation justified. A refusal is recorded with its notes. A grant
issues (or renews) the certificate and plans the surveillance audits.

A transition decision (the client moves to a new edition of a standard, reference 8) rests on
the cycle's latest transition audit, checks the same items against the new editions, and that
it is taken before the transition ends with the certificate in force; its grant transfers the
certificate (`services.transitions`). No other grant may issue a certificate to an edition
whose new certificates are no longer allowed (`edition_replaced`, `services.editions`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q

from pdca.audits.models import Audit, Finding
from pdca.certification.models import (
    CertificationCycle,
    CertificationDecision,
    CycleAudit,
    FindingReview,
)
from pdca.certification.permissions import DECIDERS
from pdca.certification.services import cycles, dates, transitions
from pdca.certification.services.editions import issuing_problem, standards_query
from pdca.certification.services.programme_audits import REPORTED, label_of
from pdca.core.activity import record_create
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, FieldError, ValidationFailed
from pdca.core.permissions import memberships, require

if TYPE_CHECKING:
    from pdca.accounts.models import User

K = CycleAudit.Kind
D = CertificationDecision.Kind
NOTES_LIMIT = 20_000


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the decision checklist: its stable code, what it checks, whether it holds,
    and what is missing when it does not."""

    code: str
    label: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_kind(cycle: CertificationCycle) -> str:
    if cycle.decision_date:
        return D.TRANSITION if transition_pending(cycle) else D.SCOPE_CHANGE
    return D.RECERTIFICATION if cycle.previous_id else D.INITIAL


def transition_pending(cycle: CertificationCycle) -> bool:
    """Whether a transition audit of the cycle moves one of its current editions on."""
    found = transitions.cycle_transitions(cycle)
    if not found:
        return False
    successors = [t.successor.pk for t in found]
    return CycleAudit.objects.filter(
        cycle=cycle, transition_to__in=successors, cancelled_reason=""
    ).exists()


def deciding_audit(cycle: CertificationCycle, kind: str | None = None) -> CycleAudit | None:
    """The audit a decision rests on: the latest stage 2 of an initial cycle, the latest
    recertification audit of a renewal, the latest special audit of a scope change, the
    latest transition audit (or audit combined with one) of a transition."""
    kind = kind or default_kind(cycle)
    if kind == D.TRANSITION:
        return transitions.latest_transition_audit(cycle)
    table: dict[str, tuple[str, ...]] = {
        D.INITIAL: (K.STAGE2,),
        D.RECERTIFICATION: (K.RECERTIFICATION,),
        D.RESTORATION: (K.RECERTIFICATION, K.STAGE2),
        D.SCOPE_CHANGE: (K.SPECIAL, K.SHORT_NOTICE),
    }
    wanted = table.get(kind, ())
    return (
        CycleAudit.objects.filter(cycle=cycle, kind__in=wanted, cancelled_reason="")
        .select_related("audit")
        .order_by("-due_date", "-sequence")
        .first()
    )


def _names(reviews: list[FindingReview]) -> str:
    return ", ".join(f"F{r.finding.number} {r.finding.title} ({r.finding.audit})" for r in reviews)


def decision_checklist(
    cycle: CertificationCycle, decider: Any, on: dt.date, *, kind: str | None = None
) -> list[ChecklistItem]:
    """The checklist of a decision on `cycle` by `decider` on `on`. A constant number of
    queries, whatever the number of audits and findings."""
    kind = kind or default_kind(cycle)
    items: list[ChecklistItem] = []
    programme = list(
        CycleAudit.objects.filter(cycle=cycle, cancelled_reason="")
        .select_related("audit")
        .order_by("due_date", "pk")
    )
    held = [a for a in programme if a.audit is not None]
    deciding = deciding_audit(cycle, kind)

    # The report of the deciding audit.
    if deciding is None:
        items.append(
            ChecklistItem("report_issued", "Audit report issued", False, "No deciding audit.")
        )
    elif deciding.audit is None or deciding.audit.status not in REPORTED:
        state = "not scheduled" if deciding.audit is None else deciding.audit.get_status_display()
        items.append(
            ChecklistItem(
                "report_issued",
                "Audit report issued",
                False,
                f"The report of {label_of(deciding).lower()} is not issued ({state.lower()}).",
            )
        )
    else:
        items.append(
            ChecklistItem(
                "report_issued",
                "Audit report issued",
                True,
                f"{label_of(deciding)}: {deciding.audit}, report issued.",
            )
        )

    # Findings: majors verified, minors' plans accepted.
    reviews = list(
        FindingReview.objects.filter(finding__audit_id__in=[a.audit_id for a in held])
        .select_related("finding", "finding__audit")
        .order_by("finding__audit__start_date", "finding__number")
    )
    majors = [r for r in reviews if r.finding.grade == Finding.Grade.MAJOR]
    minors = [r for r in reviews if r.finding.grade == Finding.Grade.MINOR]
    unverified = [
        r for r in majors if r.plan_status != FindingReview.PlanStatus.ACCEPTED or not r.verified_on
    ]
    detail = f"{len(majors)} major(s), all accepted and verified." if majors else "No majors."
    if unverified:
        detail = f"Not accepted and verified: {_names(unverified)}."
    late: list[FindingReview] = []
    stage2 = deciding if deciding is not None and deciding.kind == K.STAGE2 else None
    if kind in (D.INITIAL, D.RESTORATION) and stage2 is not None and stage2.audit is not None:
        deadline = dates.major_verification_deadline(stage2.audit.end_date)
        late = [
            r
            for r in majors
            if r.finding.audit_id == stage2.audit_id and r.verified_on and r.verified_on > deadline
        ]
        if late:
            detail = (
                f"Verified after {deadline:%Y-%m-%d}, six months after stage 2: "
                f"{_names(late)}; a new stage 2 is needed."
            )
    items.append(
        ChecklistItem(
            "majors_verified",
            "Every major's correction and corrective action accepted and verified",
            not unverified and not late,
            detail,
        )
    )
    unaccepted = [r for r in minors if r.plan_status != FindingReview.PlanStatus.ACCEPTED]
    items.append(
        ChecklistItem(
            "minors_accepted",
            "Every minor's plan accepted",
            not unaccepted,
            f"Plan not accepted: {_names(unaccepted)}."
            if unaccepted
            else (f"{len(minors)} minor(s), all plans accepted." if minors else "No minors."),
        )
    )

    # Scope and sites.
    problems: list[str] = []
    standard_ids = set(cycle.standards.values_list("pk", flat=True))
    if not cycle.scope.strip():
        problems.append("the scope is empty")
    if not cycle.sites.exists():
        problems.append("no site is listed")
    if not standard_ids:
        problems.append("no standard is listed")
    if deciding is not None and deciding.audit is not None:
        audited = set(deciding.audit.standards.values_list("pk", flat=True))
        expected = standard_ids
        if kind == D.TRANSITION:
            expected = {s.pk for s in transitions.audited_standards(deciding)}
        if audited != expected:
            problems.append(
                "the audit's standards differ from the new editions"
                if kind == D.TRANSITION
                else "the audit's standards differ from the cycle's"
            )
    items.append(
        ChecklistItem(
            "scope_confirmed",
            "Scope and sites confirmed",
            not problems,
            ("; ".join(problems).capitalize() + ".")
            if problems
            else "Scope, sites and standards as audited.",
        )
    )

    # Audit time.
    short: list[str] = []
    for item in held:
        if item.audit is None or item.audit.status not in REPORTED:
            continue
        if item.delivered_days is None:
            short.append(f"{label_of(item)}: days delivered not recorded")
        elif (
            item.planned_days is not None
            and item.delivered_days != item.planned_days
            and not item.deviation_reason.strip()
        ):
            short.append(
                f"{label_of(item)}: {item.delivered_days} delivered, {item.planned_days} "
                "planned, no reason"
            )
    items.append(
        ChecklistItem(
            "audit_time",
            "Audit time delivered as planned, or the deviation justified",
            not short,
            "; ".join(short) + "." if short else "Delivered as planned or justified.",
        )
    )

    # The decider.
    audit_ids = [a.audit_id for a in held]
    on_team = sorted(
        {
            str(a)
            for a in Audit.objects.filter(pk__in=audit_ids)
            .filter(
                Q(lead_auditor_id=getattr(decider, "pk", None))
                | Q(team__user_id=getattr(decider, "pk", None))
            )
            .distinct()
        }
    )
    items.append(
        ChecklistItem(
            "decider_independent",
            "Decider was on no audit team of the cycle",
            not on_team,
            f"Was on the team of: {', '.join(on_team)}." if on_team else "Independent.",
        )
    )
    role = memberships(decider).get(cycle.organization_id)
    items.append(
        ChecklistItem(
            "decider_role",
            "Decider holds the decision maker's role",
            role in DECIDERS,
            "Certification decision maker." if role in DECIDERS else "Not a decision maker.",
        )
    )
    if cycle.previous_id and kind in (D.RECERTIFICATION, D.RESTORATION):
        items.append(_renewal_item(cycle, kind, on))
    if kind == D.TRANSITION:
        items.append(_transition_item(cycle, deciding, on))
    return items


def _transition_item(
    cycle: CertificationCycle, deciding: CycleAudit | None, on: dt.date
) -> ChecklistItem:
    """A transition is decided before it ends, on a certificate in force."""
    from pdca.certification.services.certificate_transitions import IN_FORCE
    from pdca.certification.services.certificates import current_certificate

    label = "Within the transition period, on a certificate in force"
    targets = {s.pk for s in deciding.transition_to.all()} if deciding is not None else set()
    found = [t for t in transitions.cycle_transitions(cycle) if t.successor.pk in targets]
    if not found:
        return ChecklistItem(
            "transition_window", label, False, "No transition audit to a new edition."
        )
    ended = [t for t in found if t.ended(on)]
    if ended:
        return ChecklistItem(
            "transition_window",
            label,
            False,
            "; ".join(t.sentence(on) for t in ended),
        )
    certificate = current_certificate(cycle)
    if certificate is None or certificate.status not in IN_FORCE:
        state = certificate.get_status_display().lower() if certificate else "none"
        return ChecklistItem(
            "transition_window", label, False, f"No certificate in force to transfer ({state})."
        )
    moves = "; ".join(
        f"to {t.successor.full_name}"
        + (f" by {t.ends:%Y-%m-%d}" if t.ends else "")
        + (" (provisional date)" if t.provisional else "")
        for t in found
    )
    return ChecklistItem(
        "transition_window", label, True, f"Certificate {certificate.number} in force, {moves}."
    )


def _renewal_item(cycle: CertificationCycle, kind: str, on: dt.date) -> ChecklistItem:
    previous = cycle.previous
    expiry = previous.expiry_date if previous else None
    if expiry is None:
        return ChecklistItem("renewal_window", "Within the renewal window", False, "No expiry.")
    if kind == D.RECERTIFICATION:
        ok = on <= expiry
        detail = (
            f"Before the certificate expires on {expiry:%Y-%m-%d}."
            if ok
            else f"The certificate expired on {expiry:%Y-%m-%d}: decide a restoration."
        )
        return ChecklistItem("renewal_window", "Decided before expiry", ok, detail)
    deadline = dates.restoration_deadline(expiry)
    if on <= expiry:
        return ChecklistItem(
            "renewal_window",
            "Within six months after expiry",
            False,
            f"The certificate is still valid until {expiry:%Y-%m-%d}: decide a recertification.",
        )
    ok = on <= deadline
    return ChecklistItem(
        "renewal_window",
        "Within six months after expiry",
        ok,
        f"Restorable until {deadline:%Y-%m-%d}."
        if ok
        else f"Past {deadline:%Y-%m-%d}, six months after expiry: a new stage 2 is needed.",
    )


def _check_kind(cycle: CertificationCycle, kind: str, on: dt.date) -> None:
    if kind not in D.values:
        raise ValidationFailed.single("kind", f"Choose one of: {', '.join(D.values)}.")
    if kind == D.SCOPE_CHANGE and not cycle.decision_date:
        raise Conflict("A scope change is decided on a certified cycle.", code="not_certified")
    if kind == D.INITIAL and (cycle.previous_id or cycle.decision_date):
        raise Conflict(
            "An initial decision is taken once, on a first cycle.", code="wrong_decision_kind"
        )
    if kind == D.TRANSITION:
        if not cycle.decision_date:
            raise Conflict(
                "A transition is decided on a certified cycle; decide this one to the new "
                "edition directly.",
                code="not_certified",
            )
        if not transitions.cycle_transitions(cycle):
            raise Conflict(
                "No standard of the cycle is replaced by a newer edition.", code="no_transition"
            )
    if kind in (D.RECERTIFICATION, D.RESTORATION):
        if not cycle.previous_id:
            raise Conflict(
                "This cycle renews no earlier cycle: decide an initial certification.",
                code="wrong_decision_kind",
            )
        if cycle.decision_date:
            raise Conflict("This cycle is decided already.", code="already_decided")
        expiry = cycle.previous.expiry_date if cycle.previous else None
        if kind == D.RESTORATION and expiry and on > dates.restoration_deadline(expiry):
            raise Conflict(
                f"The certificate expired on {expiry:%Y-%m-%d}, more than six months ago: it "
                "cannot be restored; a new stage 2 is needed.",
                code="restoration_too_late",
            )


@transaction.atomic
def decide(
    cycle: CertificationCycle,
    *,
    kind: str | None = None,
    outcome: str,
    notes: str = "",
    on: dt.date,
    actor: User,
) -> CertificationDecision:
    """Record the certification decision on `cycle`. Granting is refused (code
    `decision_checklist_incomplete`, listing what is missing) unless every checklist item
    holds; a refusal is recorded with its notes (required). A grant issues or renews the
    certificate (`services.certificates.issue_certificate`) and plans the surveillance."""
    require(actor, "decide", CertificationDecision, organization=cycle.organization_id)
    lock_for_update(cycle, check=False)
    kind = kind or default_kind(cycle)
    errors: list[FieldError] = []
    if outcome not in CertificationDecision.Outcome.values:
        errors.append(FieldError("outcome", "Choose granted or refused."))
    if not isinstance(on, dt.date):
        errors.append(FieldError("on", "Give the decision's date."))
    notes = (notes or "").strip() if isinstance(notes, str) else ""
    if len(notes) > NOTES_LIMIT:
        errors.append(FieldError("notes", f"At most {NOTES_LIMIT} characters."))
    if outcome == CertificationDecision.Outcome.REFUSED and not notes:
        errors.append(FieldError("notes", "Say why certification is refused."))
    if errors:
        raise ValidationFailed(errors)
    if cycle.status == CertificationCycle.Status.ENDED:
        raise Conflict("The cycle has ended.", code="cycle_ended")
    _check_kind(cycle, kind, on)
    granted = outcome == CertificationDecision.Outcome.GRANTED
    if granted and kind != D.TRANSITION:
        standards = standards_query().filter(pk__in=cycle.standards.values("pk"))
        problem = issuing_problem(standards, on, renewal=kind != D.SCOPE_CHANGE)
        if problem:
            raise Conflict(problem, code="edition_replaced")
    checklist = decision_checklist(cycle, actor, on, kind=kind)
    by_code = {item.code: item for item in checklist}
    independent = by_code["decider_independent"]
    if not independent.ok:
        raise Conflict(
            f"You may not decide on this cycle (rule DEC-01): {independent.detail}",
            code="decider_not_independent",
        )
    missing = [item for item in checklist if not item.ok]
    if granted and missing:
        raise Conflict(
            "Certification cannot be granted yet. Missing: "
            + "; ".join(f"{item.label}: {item.detail}" for item in missing),
            code="decision_checklist_incomplete",
        )
    decision = CertificationDecision.objects.create(
        organization_id=cycle.organization_id,
        cycle=cycle,
        kind=kind,
        outcome=outcome,
        decided_by=actor,
        decided_on=on,
        checklist=[item.to_dict() for item in checklist],
        notes=notes,
    )
    record_create(actor=actor, obj=decision)
    if granted and kind == D.TRANSITION:
        transitions.transfer_certificate(decision, actor=actor)
    elif granted:
        from pdca.certification.services.certificates import issue_certificate

        issue_certificate(decision, actor=actor)
        cycle.refresh_from_db()
        cycles.plan_surveillance(cycle, actor=actor, checked=True)
    return decision


def decisions_of(cycle: CertificationCycle) -> list[CertificationDecision]:
    return list(cycle.decisions.select_related("decided_by").order_by("-decided_on", "-pk"))
