"""Internal audit (AUD rules): internal audits of the system done in the period, and the
clauses and processes they covered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from pdca.audits.models import Audit, ChecklistItem
from pdca.engagements.rehearsal.engine import (
    Context,
    Hit,
    check,
    each_standard,
    months_ago,
    names,
    param,
)
from pdca.system.models import Process

if TYPE_CHECKING:
    from pdca.engagements.rehearsal.rules import Rule

DONE = ["reporting", "report_issued", "closed"]


def done_audits(ctx: Context, rule: Rule) -> list[int]:
    """Ids of the organization's internal audits of this system (in a programme of the system,
    or in none) that reached one of the `done` states and ended within the last `months`."""
    months, done = param(rule, "months"), tuple(param(rule, "done"))

    def read() -> list[int]:
        return list(
            Audit.objects.filter(
                organization_id=ctx.organization_id,
                audit_type=Audit.Type.INTERNAL,
                archived_at__isnull=True,
                status__in=done,
                end_date__gte=months_ago(ctx.today, months),
                end_date__lte=ctx.today,
            )
            .filter(Q(programme__system=ctx.system) | Q(programme__system__isnull=True))
            .values_list("pk", flat=True)
        )

    ids: list[int] = ctx.cached(("internal-audits", months, done), read)
    return ids


def _scope(audits: list[int]) -> set[int]:
    """Requirement ids in the scope of `audits`, or answered by their checklists (three
    queries)."""
    ids = set(
        Audit.requirements.through.objects.filter(audit_id__in=audits).values_list(
            "requirement_id", flat=True
        )
    )
    ids |= set(
        ChecklistItem.objects.filter(audit_id__in=audits, requirement__isnull=False).values_list(
            "requirement_id", flat=True
        )
    )
    ids |= set(
        ChecklistItem.covers.through.objects.filter(checklistitem__audit_id__in=audits).values_list(
            "requirement_id", flat=True
        )
    )
    return ids


@check("internal_audit_missing", months=12, done=DONE)
def internal_audit_missing(ctx: Context, rule: Rule) -> list[Hit]:
    """No internal audit of the system reached one of the `done` states in the last `months`."""
    if done_audits(ctx, rule):
        return []
    months = param(rule, "months")
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"No internal audit of this system reached its report in the last {months} months.",
    )


@check(
    "clauses_not_audited",
    months=12,
    done=DONE,
    clauses=["4", "5", "6", "7", "8", "9", "10"],
)
def clauses_not_audited(ctx: Context, rule: Rule) -> list[Hit]:
    """Main `clauses` of a standard (not excluded) that no internal audit done in the last
    `months` had in scope, itself or through a sub-clause."""
    audits = done_audits(ctx, rule)
    index = ctx.requirements()
    by_id = {r.pk: r for r in index.values()}
    covered = {
        (by_id[i].standard_id, by_id[i].number.split(".")[0])
        for i in (_scope(audits) if audits else set())
        if i in by_id
    }
    hits = []
    for standard in ctx.standards_for(rule):
        gaps = [
            number
            for number in param(rule, "clauses")
            if (standard.pk, number) in index
            and index[(standard.pk, number)].pk not in ctx.excluded
            and (standard.pk, number) not in covered
        ]
        if gaps:
            titles = [f"{n} {index[(standard.pk, n)].title}" for n in gaps]
            hits.append(
                Hit(
                    standard,
                    rule.title,
                    f"{standard.name} clauses not audited in the last {param(rule, 'months')} "
                    f"months: {names(titles, len(titles))}.",
                )
            )
    return hits


@check("processes_not_audited", months=12, done=DONE)
def processes_not_audited(ctx: Context, rule: Rule) -> list[Hit]:
    """Active processes of the organization that no internal audit done in the last `months`
    had in scope."""
    audits = done_audits(ctx, rule)
    covered = set(
        Audit.processes.through.objects.filter(audit_id__in=audits).values_list(
            "process_id", flat=True
        )
    )
    missing = [
        f"{code} {name}".strip()
        for pk, code, name in Process.objects.filter(
            organization_id=ctx.organization_id,
            status=Process.Status.ACTIVE,
            archived_at__isnull=True,
        )
        .order_by("code", "pk")
        .values_list("pk", "code", "name")
        if pk not in covered
    ]
    if not missing:
        return []
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"{len(missing)} active process{'es' if len(missing) > 1 else ''} not audited in the "
        f"last {param(rule, 'months')} months: {names(missing)}.",
    )
