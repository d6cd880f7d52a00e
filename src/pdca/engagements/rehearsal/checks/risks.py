"""Risks and opportunities (RISK rules) and the Statement of Applicability (SOA rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse

from pdca.engagements.rehearsal.engine import Context, Hit, check, each_standard, names, param
from pdca.risks.method.services import method_for
from pdca.risks.models import Risk, SoaVersion, StatementOfApplicability, TreatmentAction
from pdca.risks.soa.selectors import (
    changed_since,
    completeness_of,
    missing_controls,
    soa_lines,
)
from pdca.standards.models import Standard

if TYPE_CHECKING:
    from pdca.engagements.rehearsal.rules import Rule

KINDS = ["risk", "opportunity", "infosec"]


class Line(NamedTuple):
    """What `completeness_of` reads of an SoA line (plain values: model instances read with
    `only()` cost a query each here)."""

    applicable: bool | None
    justification: str
    implementation: str


def _open_risks(ctx: Context, rule: Rule) -> QuerySet[Risk]:
    return Risk.objects.filter(
        organization_id=ctx.organization_id,
        archived_at__isnull=True,
        kind__in=param(rule, "kinds"),
    ).exclude(status=Risk.Status.CLOSED)


def _kinds(rule: Rule) -> str:
    """ "risk, opportunity or information security risk" for the rule's `kinds`."""
    labels = [Risk.Kind(k).label.lower() for k in param(rule, "kinds") if k in Risk.Kind.values]
    if len(labels) < 2:
        return "".join(labels) or "entry"
    return ", ".join(labels[:-1]) + " or " + labels[-1]


@check("risks_missing", kinds=KINDS)
def risks_missing(ctx: Context, rule: Rule) -> list[Hit]:
    """The risk register holds no entry of the `kinds` (closed ones count, archived ones do
    not)."""
    exists = Risk.objects.filter(
        organization_id=ctx.organization_id,
        archived_at__isnull=True,
        kind__in=param(rule, "kinds"),
    ).exists()
    if exists:
        return []
    return each_standard(ctx, rule, rule.title, f"The risk register holds no {_kinds(rule)}.")


@check("risks_unassessed", kinds=KINDS)
def risks_unassessed(ctx: Context, rule: Rule) -> list[Hit]:
    """Open entries of the `kinds` that were never rated (no inherent score)."""
    codes = list(
        _open_risks(ctx, rule)
        .filter(inherent_score__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not codes:
        return []
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"{len(codes)} open entr{'ies' if len(codes) > 1 else 'y'} of the risk register not "
        f"rated: {names(codes)}.",
    )


@check("risks_untreated", kinds=["risk", "infosec"])
def risks_untreated(ctx: Context, rule: Rule) -> list[Hit]:
    """Open entries of the `kinds` whose current score is above the risk method's acceptance
    threshold with no treatment, or a treatment other than acceptance with neither a plan nor
    an action."""
    threshold = method_for(ctx.system.organization).acceptance_threshold
    actions = TreatmentAction.objects.filter(risk=OuterRef("pk"))
    codes = list(
        _open_risks(ctx, rule)
        .annotate(current=Coalesce("residual_score", "inherent_score"), acted=Exists(actions))
        .filter(current__gt=threshold)
        .filter(
            Q(treatment="")
            | (~Q(treatment=Risk.Treatment.ACCEPT) & Q(treatment_plan="") & Q(acted=False))
        )
        .order_by("code")
        .values_list("code", flat=True)
    )
    if not codes:
        return []
    return each_standard(
        ctx,
        rule,
        rule.title,
        f"{len(codes)} open risk{'s' if len(codes) > 1 else ''} above the acceptance threshold "
        f"({threshold}) without treatment: {names(codes)}.",
    )


def _soas(ctx: Context) -> dict[int, tuple[StatementOfApplicability, SoaVersion | None]]:
    """{standard id: (the organization's SoA for it, its latest approved version)} (two
    queries; the versions' frozen lines are not read here)."""

    def read() -> dict[int, tuple[StatementOfApplicability, SoaVersion | None]]:
        soas = list(
            StatementOfApplicability.objects.filter(
                organization_id=ctx.organization_id, standard__in=ctx.standards
            ).filter(Q(system__isnull=True) | Q(system=ctx.system))
        )
        latest: dict[int, SoaVersion] = {}
        for version in (
            SoaVersion.objects.filter(soa__in=soas)
            .only("pk", "soa_id", "number", "approved_at")
            .order_by("soa_id", "-number")
        ):
            latest.setdefault(version.soa_id, version)
        return {soa.standard_id: (soa, latest.get(soa.pk)) for soa in soas}

    found: dict[int, tuple[StatementOfApplicability, SoaVersion | None]] = ctx.cached("soas", read)
    return found


def _soa_url(soa: StatementOfApplicability) -> str:
    return reverse("risks:soa-detail", args=[soa.pk])


def _with_soa(
    ctx: Context, rule: Rule
) -> list[tuple[Standard, StatementOfApplicability, SoaVersion | None]]:
    soas = _soas(ctx)
    return [
        (standard, *soas[standard.pk])
        for standard in ctx.standards_for(rule)
        if standard.pk in soas
    ]


@check("soa_unapproved")
def soa_unapproved(ctx: Context, rule: Rule) -> list[Hit]:
    """The standard has no Statement of Applicability, or it has no approved version."""
    soas = _soas(ctx)
    hits = []
    for standard in ctx.standards_for(rule):
        soa, version = soas.get(standard.pk, (None, None))
        if soa is None:
            hits.append(
                Hit(standard, rule.title, f"There is no Statement of Applicability for {standard}.")
            )
        elif version is None:
            hits.append(
                Hit(
                    standard,
                    rule.title,
                    f"“{soa.title}” has never been approved.",
                    fix_url=_soa_url(soa),
                )
            )
    return hits


@check("soa_incomplete")
def soa_incomplete(ctx: Context, rule: Rule) -> list[Hit]:
    """The standard's Statement of Applicability lacks lines for some controls, or has
    controls not decided or not justified (nothing when there is no SoA: SOA-01 says so)."""
    hits = []
    for standard, soa, _ in _with_soa(ctx, rule):
        lines = [
            Line(*row)
            for row in soa.lines.values_list("applicable", "justification", "implementation")
        ]
        completeness = completeness_of(lines, missing_controls(soa))  # type: ignore[arg-type]
        if completeness.complete:
            continue
        hits.append(
            Hit(
                standard,
                rule.title,
                f"“{soa.title}”: " + "; ".join(completeness.problems) + ".",
                fix_url=_soa_url(soa),
            )
        )
    return hits


@check("soa_changed")
def soa_changed(ctx: Context, rule: Rule) -> list[Hit]:
    """Lines of the standard's Statement of Applicability differ from its latest approved
    version (nothing when it was never approved: SOA-01 says so)."""
    hits = []
    for standard, soa, version in _with_soa(ctx, rule):
        if version is None:
            continue
        frozen = SoaVersion.objects.only("lines").get(pk=version.pk)
        changed = changed_since(soa_lines(soa), frozen)
        if not changed:
            continue
        hits.append(
            Hit(
                standard,
                rule.title,
                f"“{soa.title}” differs from version {version.number} approved on "
                f"{version.approved_at:%Y-%m-%d} in {len(changed)} control"
                f"{'s' if len(changed) > 1 else ''}: {names(changed)}.",
                fix_url=_soa_url(soa),
            )
        )
    return hits
