"""Running the stage 1 rehearsal, and comparing a run with the one before it.

`run_rehearsal` is the one write: it checks who runs it (a member whose role may, or a
certification body under an open grant naming the system), evaluates every rule of
`rules.yaml` that applies to the system's standards, and stores the dated run with its
predicted findings and the digest of the rules it used, with its activity entry, in one
transaction. Pages, the API and the CLI all call it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.permissions import memberships
from pdca.core.roles import Role
from pdca.engagements.models import PredictedFinding, Rehearsal
from pdca.engagements.rehearsal.engine import Context, evaluate
from pdca.engagements.rehearsal.rules import load_rules
from pdca.engagements.rehearsal.selectors import access_to_system, findings_of, previous_run
from pdca.engagements.services.logging import log_access
from pdca.system.models import ManagementSystem

Grade = PredictedFinding.Grade


@transaction.atomic
def run_rehearsal(system: ManagementSystem, *, actor: Any) -> Rehearsal:
    """Run the stage 1 rehearsal on `system` as `actor`: predict what a stage 1 auditor would
    raise from the system's own records, and keep the dated result. A certification body's
    run is owned by the client like any other, names the body (`run_for`) and the grant, and
    is recorded in the client's activity log."""
    if not isinstance(system, ManagementSystem) or system.pk is None:
        raise ValidationFailed.single("system", "Give a saved management system.", "invalid")
    access = access_to_system(actor, system)
    if not access.may_run:
        role = memberships(actor).get(system.organization_id, "")
        label = Role(role).label if role in Role.values else role
        raise PermissionDenied(f"Your role ({label}) may not run the stage 1 rehearsal.")
    now = timezone.now()
    context = Context.for_system(system, timezone.localdate(now))
    if not context.standards:
        raise ValidationFailed.single(
            "system",
            "The system adopts no standard yet: adopt one before rehearsing stage 1.",
            "no_standards",
        )
    rules = load_rules()
    outcome = evaluate(context, rules.rules)
    majors = sum(1 for d in outcome.drafts if d.rule.grade == Grade.MAJOR)
    rehearsal = Rehearsal.objects.create(
        organization_id=system.organization_id,
        system=system,
        run_at=now,
        run_by=actor,
        run_for=access.provider,
        grant=access.grant,
        rules_digest=rules.digest,
        standards=[s.code for s in context.standards],
        majors=majors,
        minors=len(outcome.drafts) - majors,
        rules_run=outcome.rules_run,
        rules_passed=outcome.rules_passed,
    )
    PredictedFinding.objects.bulk_create(
        PredictedFinding(
            organization_id=system.organization_id,
            rehearsal=rehearsal,
            rule=d.rule.code,
            standard=d.standard,
            requirement=d.requirement,
            clause=d.clause,
            grade=d.rule.grade,
            title=d.title,
            detail=d.detail,
            fix_url=d.fix_url,
            key=d.key,
        )
        for d in outcome.drafts
    )
    by = f"{access.provider} under grant G-{access.grant.pk}" if access.grant else str(actor)
    record_activity(
        actor=actor,
        action="run",
        obj=rehearsal,
        organization=system.organization_id,
        changes={
            "majors": majors,
            "minors": rehearsal.minors,
            "rules_run": outcome.rules_run,
            "rules_passed": outcome.rules_passed,
            "rules_digest": rules.digest,
            "grant": access.grant.pk if access.grant else None,
        },
        message=f"Stage 1 rehearsal of {system} run by {by}: {majors} major and "
        f"{rehearsal.minors} minor findings predicted.",
    )
    return rehearsal


def log_read(rehearsal_or_system: Any, *, user: Any, grant: Any, download: bool = False) -> None:
    """Log a certification body's read of a rehearsal (or of a system's rehearsal page) in
    the client's activity log; a member's own reads are not logged."""
    if grant is None:
        return
    what = (
        f"the stage 1 rehearsal of {rehearsal_or_system.system} of "
        f"{rehearsal_or_system.run_at:%Y-%m-%d %H:%M}"
        if isinstance(rehearsal_or_system, Rehearsal)
        else f"the stage 1 rehearsals of {rehearsal_or_system}"
    )
    log_access(
        grant,
        user,
        rehearsal_or_system,
        action="download" if download else "view",
        what=what,
    )


# --- comparison ---------------------------------------------------------------------------

NEW, STILL_OPEN, RESOLVED = "new", "still_open", "resolved"


@dataclass(frozen=True)
class Comparison:
    """A run against the one before it (same system, same side), by finding key: what is new,
    what was resolved since, and what is still open. `same_rules` is False when the two runs
    used different rules (their digests differ), so a change may come from the rules."""

    previous: Rehearsal | None
    same_rules: bool
    new: list[PredictedFinding]
    resolved: list[PredictedFinding]
    still_open: list[PredictedFinding]
    open_keys: frozenset[str] = frozenset()

    def status_of(self, finding: PredictedFinding) -> str:
        """NEW or STILL_OPEN for a finding of the run (every finding of a first run is new)."""
        return STILL_OPEN if finding.key in self.open_keys else NEW

    def as_dict(self) -> dict[str, Any]:
        def rows(findings: list[PredictedFinding]) -> list[dict[str, Any]]:
            return [finding_summary(f) for f in findings]

        previous = self.previous
        return {
            "previous_id": previous.pk if previous else None,
            "previous_run_at": previous.run_at if previous else None,
            "same_rules": self.same_rules,
            "new": rows(self.new),
            "resolved": rows(self.resolved),
            "still_open": rows(self.still_open),
        }


def finding_summary(finding: PredictedFinding) -> dict[str, Any]:
    return {
        "key": finding.key,
        "rule": finding.rule,
        "grade": finding.grade,
        "standard": finding.standard.code if finding.standard else None,
        "clause": finding.clause,
        "title": finding.title,
    }


def compare(
    rehearsal: Rehearsal,
    findings: list[PredictedFinding] | None = None,
    previous: Rehearsal | None = None,
) -> Comparison:
    """Compare `rehearsal` (with its `findings`, read when not given) with the run before it
    (`previous`, looked up when not given): three queries at most."""
    findings = findings_of(rehearsal) if findings is None else findings
    previous = previous_run(rehearsal) if previous is None else previous
    before = findings_of(previous)
    then = {f.key for f in before}
    now = {f.key for f in findings}
    return Comparison(
        previous=previous,
        same_rules=previous is None or previous.rules_digest == rehearsal.rules_digest,
        new=[f for f in findings if f.key not in then],
        resolved=[f for f in before if f.key not in now],
        still_open=[f for f in findings if f.key in then],
        open_keys=frozenset(now & then),
    )
