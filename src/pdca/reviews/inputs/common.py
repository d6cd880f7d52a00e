"""The inputs every management-system standard asks the review to consider (9.3.2 of the
Harmonized Structure), compiled from the registers. "In the period" means after the start of
the window and up to its as-of date; "open" means open on the as-of date where the register
keeps the dates to tell, and open today otherwise (said in the input's note)."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from pdca.audits.models import Audit, Finding
from pdca.improvement.analytics.figures import cycle_days, median
from pdca.improvement.models import ImprovementOpportunity, Nonconformity
from pdca.people.services.competence import competence_matrix
from pdca.reviews.inputs.registry import (
    Figures,
    Window,
    bad_if,
    declare,
    figure,
    figures,
    link,
    row,
)
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.risks.method.services import method_for
from pdca.risks.models import Risk, TreatmentAction
from pdca.system.models import ContextIssue, InterestedParty, Measurement, Objective
from pdca.system.objectives.services import plain, tracking_of, with_latest

#: The most rows an input lists; its figures still count them all.
MAX_ROWS = 12
CERTIFICATION_AUDITS = (
    Audit.Type.STAGE1,
    Audit.Type.STAGE2,
    Audit.Type.SURVEILLANCE,
    Audit.Type.RECERTIFICATION,
    Audit.Type.SPECIAL,
)
GRADES = [(value, str(label)) for value, label in Finding.Grade.choices]


def _detail(url_name: str, pk: int) -> str:
    return reverse(url_name, args=[pk])


@declare("previous_actions", "Status of actions from previous management reviews", "9.3.2 a)")
def previous_actions(w: Window) -> Figures:
    outputs = ReviewOutput.objects.filter(
        organization=w.organization,
        review__system=w.system,
        archived_at__isnull=True,
        review__meeting_date__lte=w.as_of,
    ).exclude(review__status=ManagementReview.Status.CANCELLED)
    if w.review is not None:
        outputs = outputs.exclude(review=w.review)
    # As they stood on the as-of date: one closed (done or cancelled) after it was open then.
    closed_later = Q(completed_on__gt=w.as_of)
    open_then = Q(status=ReviewOutput.Status.OPEN) | closed_later
    counts = outputs.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=ReviewOutput.Status.DONE) & ~closed_later),
        open=Count("pk", filter=open_then),
        overdue=Count("pk", filter=open_then & Q(due_date__lt=w.as_of)),
        cancelled=Count("pk", filter=Q(status=ReviewOutput.Status.CANCELLED) & ~closed_later),
    )
    # The previous review's outputs, and any older one still open.
    listed = (
        outputs.filter(Q(review=w.review.previous_id if w.review is not None else None) | open_then)
        .select_related("owner", "review")
        .order_by("-status", "due_date", "pk")[:MAX_ROWS]
    )
    rows = [
        row(
            output.title,
            " · ".join(
                part
                for part in (
                    output.get_status_display(),
                    str(output.owner) if output.owner else "no owner",
                    f"due {output.due_date:%Y-%m-%d}" if output.due_date else "",
                    f"from {output.review.meeting_date:%Y-%m-%d}",
                )
                if part
            ),
            _detail("reviews:review-actions-detail", output.pk),
        )
        for output in listed
    ]
    actions = reverse("reviews:review-actions-list")
    return figures(
        [
            figure("Actions decided", counts["total"], actions),
            figure("Done", counts["done"], f"{actions}?status=done", "good"),
            figure("Open", counts["open"], f"{actions}?status=open"),
            figure("Open past their due date", counts["overdue"], "", bad_if(counts["overdue"])),
            figure("Cancelled", counts["cancelled"], f"{actions}?status=cancelled"),
        ],
        rows,
        "" if counts["total"] else "No earlier review of this system decided an action.",
    )


@declare(
    "context_changes",
    "Changes in external and internal issues, interested parties' needs and risks",
    "9.3.2 b)",
)
def context_changes(w: Window) -> Figures:
    def changes(model, title_field: str):
        rows = model.objects.filter(organization=w.organization)
        return rows.aggregate(
            added=Count("pk", filter=w.timed("created_at")),
            changed=Count("pk", filter=w.timed("updated_at") & ~w.timed("created_at")),
            current=Count("pk", filter=w.existed() & Q(archived_at__isnull=True)),
        )

    issues = changes(ContextIssue, "title")
    parties = changes(InterestedParty, "name")
    risk_rows = Risk.objects.filter(
        organization=w.organization, kind__in=[Risk.Kind.RISK, Risk.Kind.OPPORTUNITY]
    )
    risks = risk_rows.aggregate(
        added=Count("pk", filter=w.timed("created_at")),
        changed=Count("pk", filter=w.timed("updated_at") & ~w.timed("created_at")),
    )
    new_issues = ContextIssue.objects.filter(
        w.timed("created_at"), organization=w.organization
    ).order_by("-created_at")[:MAX_ROWS]
    return figures(
        [
            figure("Issues added", issues["added"], reverse("workspace:context-issues-list")),
            figure("Issues changed", issues["changed"], reverse("workspace:context-issues-list")),
            figure(
                "Interested parties added",
                parties["added"],
                reverse("workspace:interested-parties-list"),
            ),
            figure(
                "Interested parties changed",
                parties["changed"],
                reverse("workspace:interested-parties-list"),
            ),
            figure("Risks and opportunities added", risks["added"], link("risks:risks-list")),
            figure("Risks and opportunities changed", risks["changed"], link("risks:risks-list")),
        ],
        [
            row(
                issue.title,
                issue.get_origin_display(),
                _detail("workspace:context-issues-detail", issue.pk),
            )
            for issue in new_issues
        ],
        f"Changes {w.period_label}.",
    )


@declare("objectives", "Extent to which objectives have been met", "9.3.2 c)")
def objectives(w: Window) -> Figures:
    rows = list(
        with_latest(
            Objective.objects.filter(
                w.existed(), organization=w.organization, archived_at__isnull=True
            ).exclude(status=Objective.Status.CANCELLED),
            as_of=w.as_of,
        )
        .select_related("owner")
        .order_by("due_date", "title")
    )
    by_status: dict[str, int] = {}
    listed = []
    for objective in rows:
        tracking = tracking_of(objective, w.as_of)
        by_status[tracking.label] = by_status.get(tracking.label, 0) + 1
        listed.append(
            row(
                objective.title,
                f"{tracking.label}{' (stale)' if tracking.stale else ''}"
                + (f" · latest {plain(tracking.latest)}" if tracking.latest is not None else "")
                + f" · target {plain(objective.target)}{objective.unit and ' ' + objective.unit}",
                _detail("workspace:objectives-detail", objective.pk),
            )
        )
    off = sum(n for label, n in by_status.items() if label.lower().startswith(("off", "not")))
    items = [figure("Objectives", len(rows), reverse("workspace:objectives-list"))]
    items += [
        figure(label, count, "", "bad" if label.lower().startswith(("off", "not")) else "")
        for label, count in sorted(by_status.items())
    ]
    return figures(
        items,
        listed[:MAX_ROWS],
        "" if rows else "No objective is set: clause 6.2 asks for them.",
    ) | {"off_track": off}


@declare(
    "nonconformities",
    "Nonconformities and corrective actions",
    "9.3.2 c)",
)
def nonconformities(w: Window) -> Figures:
    rows = Nonconformity.objects.filter(organization=w.organization, archived_at__isnull=True)
    open_then = w.existed() & (Q(closed_at__isnull=True) | Q(closed_at__date__gt=w.as_of))
    counts = rows.exclude(status=Nonconformity.Status.DISMISSED).aggregate(
        reported=Count("pk", filter=w.timed("created_at")),
        closed=Count("pk", filter=w.timed("closed_at")),
        open=Count("pk", filter=open_then),
        major=Count("pk", filter=open_then & Q(severity=Nonconformity.Severity.MAJOR)),
        minor=Count("pk", filter=open_then & Q(severity=Nonconformity.Severity.MINOR)),
        overdue=Count("pk", filter=open_then & Q(due_date__lt=w.as_of)),
    )
    # Dismissing sets closed_at too; a dismissed report was no nonconformity to close.
    closed = (
        rows.filter(w.timed("closed_at"))
        .exclude(status=Nonconformity.Status.DISMISSED)
        .values_list("created_at", "closed_at")
    )
    days = [cycle_days(reported, done) for reported, done in closed if done is not None]
    cycle = median(days)
    open_majors = (
        rows.filter(open_then, severity=Nonconformity.Severity.MAJOR)
        .exclude(status=Nonconformity.Status.DISMISSED)
        .order_by("created_at")[:MAX_ROWS]
    )
    register = reverse("improvement:nonconformities-list")
    return figures(
        [
            figure("Reported in the period", counts["reported"], register),
            figure("Closed in the period", counts["closed"], f"{register}?status=closed", "good"),
            figure("Open", counts["open"], register),
            figure(
                "Open majors",
                counts["major"],
                f"{register}?severity=major",
                bad_if(counts["major"]),
            ),
            figure("Open minors", counts["minor"], f"{register}?severity=minor"),
            figure("Open past their due date", counts["overdue"], "", bad_if(counts["overdue"])),
            figure(
                "Median days to close",
                None if cycle is None else round(cycle, 1),
                reverse("improvement:analytics"),
            ),
        ],
        [
            row(
                f"{nc.reference} {nc.title}".strip(),
                f"{nc.get_status_display()} · opened {timezone.localdate(nc.created_at):%Y-%m-%d}",
                _detail("improvement:nonconformities-detail", nc.pk),
            )
            for nc in open_majors
        ],
    )


@declare("monitoring", "Monitoring and measurement results", "9.3.2 c)")
def monitoring(w: Window) -> Figures:
    measured = Measurement.objects.filter(
        w.dated("measured_on"), organization=w.organization
    ).aggregate(n=Count("pk"), objectives=Count("objective", distinct=True))
    active = Objective.objects.filter(
        w.existed(),
        organization=w.organization,
        archived_at__isnull=True,
        status=Objective.Status.ACTIVE,
    )
    unmeasured = active.exclude(
        pk__in=Measurement.objects.filter(w.dated("measured_on")).values("objective_id")
    ).order_by("due_date", "title")
    count_unmeasured = unmeasured.count()
    return figures(
        [
            figure("Measurements recorded", measured["n"], reverse("workspace:objectives-list")),
            figure("Indicators measured", measured["objectives"]),
            figure(
                "Active objectives not measured", count_unmeasured, "", bad_if(count_unmeasured)
            ),
        ],
        [
            row(o.title, o.kpi, _detail("workspace:objectives-detail", o.pk))
            for o in unmeasured[:MAX_ROWS]
        ],
        "Measurements of the objectives' indicators in the period; process KPIs are read on "
        "each process's page.",
    )


def _audits_ended(w: Window, types) -> models.QuerySet[Audit]:
    """Audits of these types that ended in the period."""
    return Audit.objects.filter(
        w.dated("end_date"),
        organization=w.organization,
        audit_type__in=types,
        archived_at__isnull=True,
    )


def _audit_figures(w: Window, types) -> tuple[list[dict], list[dict]]:
    audits = _audits_ended(w, types)
    grades = Finding.objects.filter(audit__in=audits).aggregate(
        **{value: Count("pk", filter=Q(grade=value)) for value, _ in GRADES}
    )
    listed = audits.annotate(
        n_major=Count("findings", filter=Q(findings__grade=Finding.Grade.MAJOR)),
        n_minor=Count("findings", filter=Q(findings__grade=Finding.Grade.MINOR)),
    ).order_by("-end_date")[:MAX_ROWS]
    rows = [
        row(
            str(audit),
            f"{audit.get_audit_type_display()} · ended {audit.end_date:%Y-%m-%d} · "
            f"{audit.get_status_display()} · {audit.n_major} major, {audit.n_minor} minor",
            _detail("audits:audits-detail", audit.pk),
        )
        for audit in listed
    ]
    items = [figure(label, grades[value]) for value, label in GRADES if value != "strength"]
    return items, rows


@declare("audit_results", "Audit results (internal and certification)", "9.3.2 c)")
def audit_results(w: Window) -> Figures:
    internal = Audit.objects.filter(
        w.dated("end_date"), organization=w.organization, archived_at__isnull=True
    ).aggregate(
        internal=Count("pk", filter=Q(audit_type=Audit.Type.INTERNAL)),
        certification=Count("pk", filter=Q(audit_type__in=CERTIFICATION_AUDITS)),
    )
    grades, rows = _audit_figures(w, (Audit.Type.INTERNAL, *CERTIFICATION_AUDITS))
    audits = reverse("audits:audits-list")
    return figures(
        [
            figure("Internal audits", internal["internal"], f"{audits}?audit_type=internal"),
            figure("Certification audits", internal["certification"], audits),
            *grades,
        ],
        rows,
        f"Audits that ended {w.period_label}.",
    )


@declare("providers", "Performance of external providers", "9.3.2 c)")
def providers(w: Window) -> Figures:
    grades, rows = _audit_figures(w, (Audit.Type.SUPPLIER,))
    audits = _audits_ended(w, (Audit.Type.SUPPLIER,)).count()
    supplier_ncs = (
        Nonconformity.objects.filter(
            w.timed("created_at"),
            organization=w.organization,
            archived_at__isnull=True,
            source__in=[Nonconformity.Source.SUPPLIER, Nonconformity.Source.SUPPLIER_AUDIT],
        )
        .exclude(status=Nonconformity.Status.DISMISSED)
        .count()
    )
    suppliers = InterestedParty.objects.filter(
        organization=w.organization,
        category=InterestedParty.Category.SUPPLIER,
        archived_at__isnull=True,
    ).count()
    register = reverse("improvement:nonconformities-list")
    return figures(
        [
            figure(
                "Suppliers among interested parties",
                suppliers,
                link("workspace:interested-parties-list", category="supplier"),
            ),
            figure(
                "Supplier audits",
                audits,
                link("audits:audits-list", audit_type="supplier"),
            ),
            figure(
                "Nonconformities about suppliers",
                supplier_ncs,
                f"{register}?source=supplier",
                bad_if(supplier_ncs),
            ),
            *grades,
        ],
        rows,
    )


@declare("resources", "Adequacy of resources", "9.3.2 d)")
def resources(w: Window) -> Figures:
    matrix = competence_matrix(w.organization, as_of=w.as_of)
    gaps = len(matrix.gaps)
    # Needs decided by this system's reviews up to the data date, open on it.
    asked = (
        ReviewOutput.objects.filter(
            organization=w.organization,
            review__system=w.system,
            review__meeting_date__lte=w.as_of,
            kind=ReviewOutput.Kind.RESOURCE,
            archived_at__isnull=True,
        )
        .exclude(review__status=ManagementReview.Status.CANCELLED)
        .filter(Q(status=ReviewOutput.Status.OPEN) | Q(completed_on__gt=w.as_of))
        .count()
    )
    return figures(
        [
            figure("People", len(matrix.rows), reverse("people:matrix")),
            figure("Fully competent", matrix.people_competent, reverse("people:matrix"), "good"),
            figure("Mandatory competence gaps", gaps, reverse("people:matrix"), bad_if(gaps)),
            figure(
                "Open needs for resources from reviews",
                asked,
                link("reviews:review-actions-list", kind="resource", status="open"),
            ),
        ],
        [],
        "People and competence are counted here; budget, equipment and infrastructure are "
        "for top management's written assessment.",
    )


@declare(
    "risk_actions",
    "Effectiveness of actions taken to address risks and opportunities",
    "9.3.2 e)",
)
def risk_actions(w: Window) -> Figures:
    # Open on the as-of date: still open, or completed after it.
    open_then = w.existed() & (Q(status=TreatmentAction.Status.OPEN) | Q(completed_on__gt=w.as_of))
    actions = TreatmentAction.objects.filter(organization=w.organization).aggregate(
        done=Count("pk", filter=w.dated("completed_on") & Q(status=TreatmentAction.Status.DONE)),
        open=Count("pk", filter=open_then),
        overdue=Count("pk", filter=open_then & Q(due_date__lt=w.as_of)),
    )
    threshold = method_for(w.organization).acceptance_threshold
    risks = (
        Risk.objects.filter(
            organization=w.organization,
            archived_at__isnull=True,
            kind__in=[Risk.Kind.RISK, Risk.Kind.INFOSEC],
        )
        .exclude(status=Risk.Status.CLOSED)
        .annotate(current=Coalesce(F("residual_score"), F("inherent_score")))
    )
    above = risks.filter(current__gt=threshold).order_by("-current", "code")
    n_above = above.count()
    return figures(
        [
            figure("Treatment actions done", actions["done"], link("risks:risks-list"), "good"),
            figure("Treatment actions open", actions["open"]),
            figure("Open past their due date", actions["overdue"], "", bad_if(actions["overdue"])),
            figure(
                f"Risks above the acceptance level ({threshold})",
                n_above,
                link("risks:risks-list", status="treating"),
                bad_if(n_above),
            ),
        ],
        [
            row(
                f"{risk.code} {risk.title}".strip(),
                f"score {risk.current} · {risk.get_status_display()}",
                _detail("risks:risks-detail", risk.pk),
            )
            for risk in above[:MAX_ROWS]
        ],
    )


@declare("improvement", "Opportunities for improvement", "9.3.2 f)")
def improvement(w: Window) -> Figures:
    rows = ImprovementOpportunity.objects.filter(
        organization=w.organization, archived_at__isnull=True
    )
    counts = rows.aggregate(
        raised=Count("pk", filter=w.timed("created_at")),
        open=Count("pk", filter=w.existed() & Q(status__in=["open", "in_progress"])),
        implemented=Count("pk", filter=Q(status="implemented") & w.timed("updated_at")),
    )
    listed = rows.filter(w.existed(), status__in=["open", "in_progress"]).order_by("due_date", "pk")
    register = reverse("improvement:opportunities-list")
    return figures(
        [
            figure("Raised in the period", counts["raised"], register),
            figure("Open", counts["open"], f"{register}?status=open"),
            figure(
                "Implemented in the period",
                counts["implemented"],
                f"{register}?status=implemented",
                "good",
            ),
        ],
        [
            row(o.title, o.get_source_display(), _detail("improvement:opportunities-detail", o.pk))
            for o in listed[:MAX_ROWS]
        ],
        "Open counts today's status of opportunities raised by the as-of date.",
    )
