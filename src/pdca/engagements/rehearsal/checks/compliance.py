"""Compliance obligations and their evaluation (LEG rules), open major nonconformities
(NC rules) and the system's exclusions (EXC rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse

from pdca.engagements.rehearsal.engine import (
    Context,
    Hit,
    check,
    each_standard,
    months_ago,
    names,
    param,
)
from pdca.environment.models import ComplianceEvaluation, ComplianceObligation
from pdca.environment.selectors import due_obligations
from pdca.improvement.models import Nonconformity
from pdca.system.models import Exclusion

if TYPE_CHECKING:
    from pdca.engagements.rehearsal.rules import Rule

RESOLVED = ["verified", "closed", "dismissed"]


def _applying(ctx: Context) -> bool:
    def read() -> bool:
        return ComplianceObligation.objects.filter(
            organization_id=ctx.organization_id,
            archived_at__isnull=True,
            status=ComplianceObligation.Status.ACTIVE,
        ).exists()

    found: bool = ctx.cached("obligations-apply", read)
    return found


@check("obligations_missing")
def obligations_missing(ctx: Context, rule: Rule) -> list[Hit]:
    """No compliance obligation that applies is registered."""
    if _applying(ctx):
        return []
    return each_standard(
        ctx, rule, rule.title, "The register of compliance obligations holds none that applies."
    )


@check("compliance_not_evaluated", months=12)
def compliance_not_evaluated(ctx: Context, rule: Rule) -> list[Hit]:
    """Obligations apply, but no evaluation of compliance was recorded in the last `months`
    (nothing when no obligation applies: LEG-01 says so)."""
    if not _applying(ctx):
        return []
    months = param(rule, "months")
    recorded = ComplianceEvaluation.objects.filter(
        organization_id=ctx.organization_id,
        archived_at__isnull=True,
        status=ComplianceEvaluation.Status.RECORDED,
        evaluated_on__gte=months_ago(ctx.today, months),
    ).exists()
    if recorded:
        return []
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"No evaluation of compliance was recorded in the last {months} months.",
    )


@check("compliance_overdue")
def compliance_overdue(ctx: Context, rule: Rule) -> list[Hit]:
    """Obligations that apply whose next evaluation of compliance was due before the run."""
    titles = list(
        due_obligations(ctx.organization_id, on=ctx.today)
        .filter(next_evaluation_due__lt=ctx.today)
        .values_list("title", flat=True)
    )
    if not titles:
        return []
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"{len(titles)} obligation{'s' if len(titles) > 1 else ''} past the date of their "
        f"next evaluation: {names(titles)}.",
    )


@check("major_nonconformities_open", resolved=RESOLVED)
def major_nonconformities_open(ctx: Context, rule: Rule) -> list[Hit]:
    """Each nonconformity graded major that is not in a `resolved` state, cited against the
    first requirement of an adopted standard it is linked to (the rule's clause otherwise)."""
    rows = list(
        Nonconformity.objects.filter(
            organization_id=ctx.organization_id,
            archived_at__isnull=True,
            severity=Nonconformity.Severity.MAJOR,
        )
        .exclude(status__in=param(rule, "resolved"))
        .order_by("created_at", "pk")
        .values_list("pk", "reference", "title", "status")
    )
    if not rows:
        return []
    by_id = {r.pk: r for r in ctx.requirements().values()}
    standards = {s.pk for s in ctx.standards_for(rule)}
    cited: dict[int, int] = {}
    for nc_id, requirement_id in (
        Nonconformity.requirements.through.objects.filter(
            nonconformity_id__in=[row[0] for row in rows]
        )
        .order_by("pk")
        .values_list("nonconformity_id", "requirement_id")
    ):
        found = by_id.get(requirement_id)
        if found is not None and found.standard_id in standards:
            cited.setdefault(nc_id, requirement_id)
    hits = []
    for pk, reference, title, status in rows:
        requirement = by_id.get(cited[pk]) if pk in cited else None
        label = f"{reference} {title}".strip()
        hits.append(
            Hit(
                requirement.standard if requirement else None,
                f"{rule.title}: {label}",
                f"“{label}” is {Nonconformity.Status(status).label.lower()}.",
                requirement=requirement,
                subject=str(pk),
                fix_url=reverse("improvement:nonconformities-detail", args=[pk]),
            )
        )
    return hits


def _exclusions(ctx: Context) -> list[Exclusion]:
    def read() -> list[Exclusion]:
        return list(
            Exclusion.objects.filter(system=ctx.system)
            .select_related("requirement__standard")
            .order_by("requirement__standard__name", "requirement__sort_key")
        )

    found: list[Exclusion] = ctx.cached("exclusions", read)
    return found


@check("exclusions_unjustified", min_length=20)
def exclusions_unjustified(ctx: Context, rule: Rule) -> list[Hit]:
    """Each exclusion whose justification, trimmed, is shorter than `min_length`."""
    hits = []
    for exclusion in _exclusions(ctx):
        requirement = exclusion.requirement
        if not rule.applies_to(requirement.standard.code) or requirement.standard not in (
            ctx.standards
        ):
            continue
        text = " ".join(exclusion.justification.split())
        if len(text) >= param(rule, "min_length"):
            continue
        hits.append(
            Hit(
                requirement.standard,
                f"{rule.title}: {requirement.label}",
                f"{requirement.label} ({requirement.title}) is declared not applicable "
                + (f"with only “{text}” as justification." if text else "with no justification."),
                subject=requirement.number,
            )
        )
    return hits


def _allowed(number: str, prefixes: list[str]) -> bool:
    return any(number == p or number.startswith(p + ".") for p in prefixes)


@check("exclusions_not_allowed", excludable={"iso9001": ["8"]})
def exclusions_not_allowed(ctx: Context, rule: Rule) -> list[Hit]:
    """Each exclusion of a clause of 4 to 10 that the standard does not let an organization
    declare not applicable (`excludable`: clause prefixes a standard allows, by code prefix;
    Annex controls are decided in the SoA and never counted here)."""
    excludable: dict[str, list[str]] = param(rule, "excludable")
    hits = []
    for exclusion in _exclusions(ctx):
        requirement = exclusion.requirement
        standard = requirement.standard
        if not rule.applies_to(standard.code) or standard not in ctx.standards:
            continue
        if requirement.kind != requirement.Kind.CLAUSE:
            continue
        top = requirement.number.split(".")[0]
        if not top.isdigit() or not 4 <= int(top) <= 10:
            continue
        allowed = [
            p for code, ps in excludable.items() if standard.code.startswith(code) for p in ps
        ]
        if _allowed(requirement.number, allowed):
            continue
        hits.append(
            Hit(
                standard,
                f"{rule.title}: {requirement.label}",
                f"{requirement.label} ({requirement.title}) is declared not applicable, which "
                f"{standard.name} does not allow.",
                subject=requirement.number,
            )
        )
    return hits
