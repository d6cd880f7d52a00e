"""The inputs one standard adds to the review: customer feedback (ISO 9001), compliance and
significant aspects (ISO 14001), consultation and incidents (ISO 45001), interested parties'
feedback, risk assessment and risk treatment (ISO/IEC 27001), AI systems and impact
assessments (ISO/IEC 42001), PRPs and the hazard control plan (ISO 22000), exercises
(ISO 22301)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from pdca.continuity.models import BusinessImpactAnalysis, ContinuityPlan, Exercise
from pdca.environment.models import ComplianceEvaluation
from pdca.environment.selectors import due_obligations, significant_aspects
from pdca.food.models import MonitoringDeviation, PrpVerification, TraceabilityExercise
from pdca.improvement.models import ImprovementOpportunity, Nonconformity
from pdca.reviews.inputs.common import MAX_ROWS
from pdca.reviews.inputs.registry import (
    Figures,
    Window,
    bad_if,
    declare,
    figure,
    figures,
    link,
    months_before,
    row,
)
from pdca.risks.models import AISystem, ControlApplicability, ImpactAssessment, Risk
from pdca.safety.models import Consultation, Incident


def _complaints(w: Window) -> int:
    return (
        Nonconformity.objects.filter(
            w.timed("created_at"),
            organization=w.organization,
            archived_at__isnull=True,
            source=Nonconformity.Source.COMPLAINT,
        )
        .exclude(status=Nonconformity.Status.DISMISSED)
        .count()
    )


@declare(
    "customer_feedback",
    "Customer satisfaction and feedback from relevant interested parties",
    "ISO 9001 9.3.2 c) 1)",
    standards=("iso9001",),
)
def customer_feedback(w: Window) -> Figures:
    complaints = _complaints(w)
    ideas = ImprovementOpportunity.objects.filter(
        w.timed("created_at"),
        organization=w.organization,
        archived_at__isnull=True,
        source=ImprovementOpportunity.Source.CUSTOMER,
    ).count()
    return figures(
        [
            figure(
                "Customer complaints",
                complaints,
                link("improvement:nonconformities-list", source="complaint"),
                bad_if(complaints),
            ),
            figure(
                "Suggestions from customers",
                ideas,
                link("improvement:opportunities-list", source="customer"),
            ),
        ],
        [],
        "Satisfaction survey results are for the written assessment.",
    )


@declare(
    "environment",
    "Compliance obligations and significant environmental aspects",
    "ISO 14001 9.3 b), c), d)",
    standards=("iso14001",),
)
def environment(w: Window) -> Figures:
    evaluations = ComplianceEvaluation.objects.filter(
        w.dated("evaluated_on"),
        organization=w.organization,
        status=ComplianceEvaluation.Status.RECORDED,
        archived_at__isnull=True,
    ).aggregate(
        total=Count("pk"),
        compliant=Count("pk", filter=Q(result="compliant")),
        failed=Count("pk", filter=~Q(result="compliant")),
    )
    overdue = due_obligations(w.organization, w.as_of).filter(next_evaluation_due__lt=w.as_of)
    aspects = significant_aspects(w.organization)
    counts = aspects.aggregate(
        significant=Count("pk", distinct=True),
        unaddressed=Count("pk", filter=Q(has_objective=False) | Q(has_control=False)),
    )
    return figures(
        [
            figure(
                "Compliance evaluations recorded",
                evaluations["total"],
                link("environment:compliance-evaluations-list", status="recorded"),
            ),
            figure("Compliant", evaluations["compliant"], "", "good"),
            figure(
                "Partly or not compliant", evaluations["failed"], "", bad_if(evaluations["failed"])
            ),
            figure(
                "Obligations overdue for evaluation",
                overdue.count(),
                reverse("environment:obligations-due"),
                bad_if(overdue.exists()),
            ),
            figure(
                "Significant aspects",
                counts["significant"],
                reverse("environment:aspects-significant"),
            ),
            figure(
                "Without objective or operational control",
                counts["unaddressed"],
                link("environment:aspects-significant", unaddressed=1),
                bad_if(counts["unaddressed"]),
            ),
        ],
        [
            row(
                o.title,
                f"evaluation due {o.next_evaluation_due:%Y-%m-%d}",
                reverse("environment:compliance-obligations-detail", args=[o.pk]),
            )
            for o in overdue[:MAX_ROWS]
        ],
        "Significant aspects are today's; evaluations are those of the period.",
    )


@declare(
    "safety",
    "Incidents, consultation and participation of workers, OH&S risks",
    "ISO 45001 9.3 c), d)",
    standards=("iso45001",),
)
def safety(w: Window) -> Figures:
    incidents = Incident.objects.filter(organization=w.organization, archived_at__isnull=True)
    in_period = incidents.filter(w.timed("occurred_at"))
    counts = in_period.aggregate(
        total=Count("pk"),
        injuries=Count("pk", filter=Q(kind__in=["injury", "ill_health"])),
        near_misses=Count("pk", filter=Q(kind="near_miss")),
        lost_time=Count("pk", filter=Q(severity__in=["lost_time", "major", "fatality"])),
    )
    days_lost = sum(d or 0 for d in in_period.values_list("days_lost", flat=True))
    # Not closed on the as-of date: still open, or closed after it.
    open_investigations = (
        incidents.filter(w.existed("occurred_at"))
        .filter(~Q(status="closed") | Q(closed_at__date__gt=w.as_of))
        .count()
    )
    consultations = Consultation.objects.filter(
        w.dated("held_on"), organization=w.organization, archived_at__isnull=True
    ).aggregate(total=Count("pk"), workers=Count("pk", filter=Q(workers_took_part=True)))
    share = (
        round(100 * consultations["workers"] / consultations["total"])
        if consultations["total"]
        else None
    )
    return figures(
        [
            figure("Incidents", counts["total"], reverse("safety:incidents-list")),
            figure(
                "Injuries and ill health",
                counts["injuries"],
                link("safety:incidents-list", kind="injury"),
                bad_if(counts["injuries"]),
            ),
            figure(
                "Near misses reported",
                counts["near_misses"],
                link("safety:incidents-list", kind="near_miss"),
            ),
            figure("Lost-time or worse", counts["lost_time"], "", bad_if(counts["lost_time"])),
            figure("Days lost", days_lost),
            figure(
                "Incidents not closed",
                open_investigations,
                link("safety:incidents-list", status="investigating"),
            ),
            figure("Consultations", consultations["total"], reverse("safety:consultations-list")),
            figure("With non-managerial workers (%)", share, reverse("safety:participation")),
        ],
        [
            row(
                str(i),
                f"{i.get_kind_display()} · {i.get_severity_display()} · {i.get_status_display()}",
                reverse("safety:incidents-detail", args=[i.pk]),
            )
            for i in in_period.order_by("-occurred_at")[:MAX_ROWS]
        ],
    )


@declare(
    "infosec",
    "Feedback from interested parties, risk assessment and risk treatment",
    "ISO/IEC 27001 9.3.2 c), d), e)",
    standards=("iso27001",),
)
def infosec(w: Window) -> Figures:
    risks = Risk.objects.filter(
        organization=w.organization, kind=Risk.Kind.INFOSEC, archived_at__isnull=True
    ).aggregate(
        total=Count("pk"),
        assessed_in_period=Count("pk", filter=w.timed("updated_at")),
        untreated=Count("pk", filter=Q(status__in=["identified", "assessed"])),
    )
    lines = ControlApplicability.objects.filter(
        organization=w.organization, soa__system=w.system, applicable=True
    ).aggregate(
        applicable=Count("pk"),
        implemented=Count("pk", filter=Q(implementation="implemented")),
        not_started=Count("pk", filter=Q(implementation="not_started")),
    )
    done = round(100 * lines["implemented"] / lines["applicable"]) if lines["applicable"] else None
    complaints = _complaints(w)
    return figures(
        [
            figure(
                "Complaints and feedback",
                complaints,
                link("improvement:nonconformities-list", source="complaint"),
            ),
            figure(
                "Information security risks",
                risks["total"],
                link("risks:risks-list", kind="infosec"),
            ),
            figure("Reassessed in the period", risks["assessed_in_period"]),
            figure("Not yet treated", risks["untreated"], "", bad_if(risks["untreated"])),
            figure("Applicable controls", lines["applicable"], reverse("risks:soa-list")),
            figure("Implemented (%)", done, reverse("risks:soa-list")),
            figure("Not started", lines["not_started"], "", bad_if(lines["not_started"])),
        ],
    )


@declare(
    "ai",
    "AI systems, their performance and impact assessments",
    "ISO/IEC 42001 9.3.2",
    standards=("iso42001",),
)
def ai(w: Window) -> Figures:
    systems = AISystem.objects.filter(
        organization=w.organization, archived_at__isnull=True
    ).aggregate(
        total=Count("pk"),
        operating=Count("pk", filter=Q(stage__in=["deployment", "operation"])),
    )
    assessments = ImpactAssessment.objects.filter(
        organization=w.organization, archived_at__isnull=True
    ).aggregate(
        completed=Count("pk", filter=Q(status="completed") & w.dated("assessed_on")),
        draft=Count("pk", filter=Q(status="draft")),
        overdue=Count("pk", filter=Q(review_date__lt=w.as_of)),
    )
    unassessed = (
        AISystem.objects.filter(organization=w.organization, archived_at__isnull=True)
        .annotate(n=Count("assessments", filter=Q(assessments__status="completed")))
        .filter(n=0)
        .order_by("name")
    )
    return figures(
        [
            figure("AI systems", systems["total"], reverse("risks:ai-systems-list")),
            figure("Deployed or operating", systems["operating"]),
            figure(
                "Impact assessments completed",
                assessments["completed"],
                link("risks:impact-assessments-list", status="completed"),
                "good",
            ),
            figure(
                "Drafts",
                assessments["draft"],
                link("risks:impact-assessments-list", status="draft"),
            ),
            figure(
                "Past their review date", assessments["overdue"], "", bad_if(assessments["overdue"])
            ),
        ],
        [
            row(
                s.name,
                "no completed impact assessment",
                reverse("risks:ai-systems-detail", args=[s.pk]),
            )
            for s in unassessed[:MAX_ROWS]
        ],
        "AI system performance measures are for the written assessment.",
    )


@declare(
    "food",
    "Prerequisite programmes, the hazard control plan and traceability",
    "ISO 22000 9.3.2",
    standards=("iso22000",),
)
def food(w: Window) -> Figures:
    verifications = PrpVerification.objects.filter(
        w.dated("verified_on"), organization=w.organization
    ).aggregate(total=Count("pk"), failed=Count("pk", filter=Q(result="not_conforming")))
    deviations = MonitoringDeviation.objects.filter(
        w.dated("occurred_on"), organization=w.organization
    ).aggregate(total=Count("pk"), ccp=Count("pk", filter=Q(plan__category="ccp")))
    traces = TraceabilityExercise.objects.filter(
        w.dated("exercised_on"), organization=w.organization, archived_at__isnull=True
    ).aggregate(total=Count("pk"), failed=Count("pk", filter=Q(result="failed")))
    return figures(
        [
            figure("PRP verifications", verifications["total"], reverse("food:verification-list")),
            figure("Not conforming", verifications["failed"], "", bad_if(verifications["failed"])),
            figure(
                "Monitoring deviations",
                deviations["total"],
                reverse("food:deviation-list"),
                bad_if(deviations["total"]),
            ),
            figure("At a CCP", deviations["ccp"], "", bad_if(deviations["ccp"])),
            figure(
                "Traceability exercises",
                traces["total"],
                reverse("food:traceability-exercises-list"),
            ),
            figure("Failed", traces["failed"], "", bad_if(traces["failed"])),
        ],
    )


@declare(
    "continuity",
    "Exercises, business impact analysis and continuity plans",
    "ISO 22301 9.3.2",
    standards=("iso22301",),
)
def continuity(w: Window) -> Figures:
    exercises = Exercise.objects.filter(
        w.dated("actual_date"),
        organization=w.organization,
        status=Exercise.Status.DONE,
        archived_at__isnull=True,
    ).aggregate(
        total=Count("pk"),
        met=Count("pk", filter=Q(objectives_met="yes")),
        rto_missed=Count("pk", filter=Q(rto_achieved=False)),
    )
    year_ago = months_before(w.as_of, 12)
    plans = ContinuityPlan.objects.filter(
        organization=w.organization, archived_at__isnull=True
    ).annotate(
        recent=Count(
            "exercises",
            filter=Q(
                exercises__status="done",
                exercises__actual_date__gt=year_ago,
                exercises__actual_date__lte=w.as_of,
            ),
        )
    )
    stale = plans.filter(recent=0).order_by("title")
    drafts = BusinessImpactAnalysis.objects.filter(
        organization=w.organization, archived_at__isnull=True, status="draft"
    ).count()
    return figures(
        [
            figure("Exercises done", exercises["total"], reverse("continuity:programme")),
            figure("Objectives met", exercises["met"], "", "good"),
            figure(
                "Recovery time objective missed",
                exercises["rto_missed"],
                "",
                bad_if(exercises["rto_missed"]),
            ),
            figure(
                "Plans not exercised in 12 months",
                stale.count(),
                reverse("continuity:programme"),
                bad_if(stale.exists()),
            ),
            figure(
                "Business impact analyses in draft",
                drafts,
                link("continuity:business-impact-analyses-list", status="draft"),
            ),
        ],
        [
            row(
                p.title,
                "not exercised in the last 12 months",
                reverse("continuity:continuity-plans-detail", args=[p.pk]),
            )
            for p in stale[:MAX_ROWS]
        ],
    )
