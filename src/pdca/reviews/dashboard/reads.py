"""One reader per dashboard tile, each a fixed number of aggregate queries (lists are cut to
`LISTED` rows), so the dashboard costs the same number of queries for ten records or ten
years of them. Reads go through `scope()` for a signed-in user; `user=None` is the operator at
the command line, who sees everything."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Case, Count, DateField, Exists, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone

from pdca.assessments.models import GapAssessment
from pdca.assessments.readiness import compute_readiness, overall_scores
from pdca.audits.models import Audit, AuditProgramme
from pdca.core.permissions import may, scope
from pdca.documents.models import Document
from pdca.improvement.analytics.figures import Period, closed_cycle_days, cycle_time, median
from pdca.improvement.deadlines import overdue_q
from pdca.improvement.models import Nonconformity
from pdca.people.models import TrainingRecord
from pdca.people.services.gaps import count_gaps
from pdca.reviews.dashboard.tiles import (
    AuditItem,
    CertificationTile,
    CompetenceTile,
    CycleTimeTile,
    DocumentsTile,
    Item,
    MonthCount,
    MonthDays,
    NonconformitiesTile,
    ObjectivesTile,
    ProgrammeTile,
    ReadinessPoint,
    ReadinessTile,
    ReviewTile,
    RisksTile,
    StandardScore,
)
from pdca.reviews.models import ManagementReview
from pdca.reviews.selectors import schedule_of
from pdca.risks.method.services import method_for
from pdca.risks.models import Risk
from pdca.standards.models import Standard
from pdca.system.models import ManagementSystem, Measurement, Objective
from pdca.system.objectives import services as objective_rules

if TYPE_CHECKING:
    from pdca.accounts.models import User

_M = TypeVar("_M", bound=models.Model)

#: The most rows a tile lists; its counts still cover every row.
LISTED = 5
CERTIFICATION_AUDITS = (
    Audit.Type.STAGE1,
    Audit.Type.STAGE2,
    Audit.Type.SURVEILLANCE,
    Audit.Type.RECERTIFICATION,
    Audit.Type.SPECIAL,
)
#: An audit is done once its report is issued.
AUDIT_DONE = (Audit.Status.REPORT_ISSUED, Audit.Status.CLOSED)
AUDIT_UNDER_WAY = (Audit.Status.IN_PROGRESS, Audit.Status.REPORTING)
NC_CLOSED = Nonconformity.Status.CLOSED
NC_DISMISSED = Nonconformity.Status.DISMISSED


def _may(user: User | None, model: type[models.Model], organization: Any) -> bool:
    return user is None or may(user, "view", model, organization=organization)


def _visible(queryset: models.QuerySet[_M], user: User | None) -> models.QuerySet[_M]:
    return queryset if user is None else scope(queryset, user)


def months_of(today: dt.date) -> list[dt.date]:
    """The first days of the twelve months ending with `today`'s, oldest first."""
    return Period.of(None, None, today).months


def _month_counts(
    rows: models.QuerySet[Any], field: str, months: list[dt.date], today: dt.date
) -> list[MonthCount]:
    """Rows per calendar month of `field` (a date, or a date and time read in local time),
    in one grouped query."""
    # A date and time field is a date field too: it is grouped by its local date, and bounded
    # by local midnights rather than by `__date`, which converts every row and skips the index.
    is_moment = isinstance(rows.model._meta.get_field(field), models.DateTimeField)
    within: dict[str, Any] = (
        {f"{field}__gte": _midnight(months[0]), f"{field}__lt": _midnight(today, 1)}
        if is_moment
        else {f"{field}__gte": months[0], f"{field}__lte": today}
    )
    found: dict[dt.date, int] = {}
    grouped = (
        rows.filter(**within)
        .annotate(month=TruncMonth(field, output_field=DateField()))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    for month, n in grouped:
        found[month.date() if isinstance(month, dt.datetime) else month] = n
    return [MonthCount(m, found.get(m, 0)) for m in months]


def _midnight(day: dt.date, days_after: int = 0) -> dt.datetime:
    """The local midnight that starts `day` (plus `days_after` days), as an aware moment."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=days_after), dt.time()))


# --- the system's own records -------------------------------------------------------------


def readiness(
    system: ManagementSystem, standards: list[Standard], user: User | None, today: dt.date
) -> ReadinessTile:
    """The latest open gap assessment (else the latest one) per standard, and the overall
    readiness of the assessments started in the last twelve months."""
    url = reverse("assessments:assessment_list")
    if not _may(user, GapAssessment, system.organization_id):
        return ReadinessTile(False, url)
    assessments = _visible(GapAssessment.objects.filter(system=system), user)
    open_first = Case(
        When(status=GapAssessment.Status.OPEN, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    shown = assessments.order_by(open_first, "-started_on", "-pk").first()
    recent = list(
        assessments.filter(started_on__gte=months_of(today)[0], started_on__lte=today).order_by(
            "started_on", "pk"
        )
    )
    scores = overall_scores(recent, standards)
    history = [ReadinessPoint(a.pk, a.title, a.started_on, scores[a.pk].percent) for a in recent]
    if shown is None:
        return ReadinessTile(True, url, history=history)
    result = compute_readiness(shown, standards)
    return ReadinessTile(
        available=True,
        url=reverse("assessments:assessment_detail", args=[shown.pk]),
        assessment_id=shown.pk,
        assessment_title=shown.title,
        assessment_status=shown.status,
        started_on=shown.started_on,
        overall=result.overall.percent,
        standards=[
            StandardScore(s.standard.code, str(s.standard), s.score.percent, s.score.applicable)
            for s in result.by_standard
        ],
        history=history,
    )


def audit_programme(system: ManagementSystem, user: User | None, today: dt.date) -> ProgrammeTile:
    """The system's current audit programme (the one whose period holds today, else the
    latest): its audits, those whose report is issued, those under way and those late."""
    url = reverse("audits:audit-programmes-list")
    if not _may(user, AuditProgramme, system.organization_id):
        return ProgrammeTile(False, url)
    current = Case(
        When(period_start__lte=today, period_end__gte=today, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    programme = (
        _visible(AuditProgramme.objects.filter(system=system, archived_at__isnull=True), user)
        .annotate(current=current)
        .order_by("-current", "-period_start", "-pk")
        .first()
    )
    if programme is None:
        return ProgrammeTile(True, url)
    done = Q(status__in=AUDIT_DONE)
    counts = _visible(
        Audit.objects.filter(programme=programme, archived_at__isnull=True), user
    ).aggregate(
        planned=Count("pk"),
        done=Count("pk", filter=done),
        under_way=Count("pk", filter=Q(status__in=AUDIT_UNDER_WAY)),
        overdue=Count("pk", filter=~done & Q(end_date__lt=today)),
    )
    planned = counts["planned"]
    return ProgrammeTile(
        available=True,
        url=reverse("audits:audit-programmes-detail", args=[programme.pk]),
        programme_id=programme.pk,
        title=programme.title,
        status=programme.get_status_display(),
        period_start=programme.period_start,
        period_end=programme.period_end,
        planned=planned,
        done=counts["done"],
        in_progress=counts["under_way"],
        overdue=counts["overdue"],
        percent=round(100 * counts["done"] / planned, 1) if planned else None,
    )


def certification(
    system: ManagementSystem, standards: list[Standard], user: User | None, today: dt.date
) -> CertificationTile:
    """The next certification audits of the system: those of its audit programmes, those of
    one of its standards, and those tied to neither (rather than hiding them). No certificate
    is linked to a client organization yet, so none is shown and no expiry is made up."""
    url = reverse("audits:audits-list")
    fields: dict[str, Any] = {
        "system_status": system.status,
        "system_status_label": system.get_status_display(),
        "certification_target_date": system.certification_target_date,
    }
    if not _may(user, Audit, system.organization_id):
        return CertificationTile(False, url, **fields)
    links = Audit.standards.through.objects
    untagged = Q(programme__isnull=True) & ~Exists(links.filter(audit_id=OuterRef("pk")))
    ours = links.filter(standard_id__in=[s.pk for s in standards]).values("audit_id")
    rows = _visible(
        Audit.objects.filter(
            organization_id=system.organization_id,
            archived_at__isnull=True,
            audit_type__in=CERTIFICATION_AUDITS,
            start_date__gte=today,
        ),
        user,
    ).filter(Q(programme__system=system) | Q(pk__in=ours) | untagged)
    upcoming = [
        AuditItem(
            id=a.pk,
            reference=a.reference,
            title=a.title,
            audit_type=a.audit_type,
            audit_type_label=a.get_audit_type_display(),
            start_date=a.start_date,
            end_date=a.end_date,
            url=reverse("audits:audits-detail", args=[a.pk]),
        )
        for a in rows.order_by("start_date", "pk")[:LISTED]
    ]
    # Counted even when fewer than LISTED are shown: the same queries whatever the data.
    return CertificationTile(True, url, upcoming, rows.count(), **fields)


def management_review(system: ManagementSystem, user: User | None, today: dt.date) -> ReviewTile:
    url = reverse("reviews:schedule")
    if not _may(user, ManagementReview, system.organization_id):
        return ReviewTile(False, url)
    s = schedule_of(system, today=today)
    return ReviewTile(
        True, url, s.interval_months, s.last_held, s.next_planned, s.next_due, s.overdue, s.due_soon
    )


# --- the organization's registers ---------------------------------------------------------


def objectives(organization: Any, user: User | None, today: dt.date) -> ObjectivesTile:
    """Active objectives by where they stand today (`tracking_of`, from their latest
    measurement), the ones off track or at risk first, and measurements recorded per month."""
    url = reverse("workspace:objectives-list")
    if not _may(user, Objective, organization):
        return ObjectivesTile(False, url)
    rows = _visible(
        Objective.objects.filter(
            organization=organization, archived_at__isnull=True, status=Objective.Status.ACTIVE
        ),
        user,
    )
    counts: dict[str, int] = defaultdict(int)
    stale = 0
    attention: list[tuple[int, dt.date, Item]] = []
    rank = {objective_rules.OFF_TRACK: 0, objective_rules.AT_RISK: 1}
    for objective in objective_rules.with_latest(rows).order_by("due_date", "title", "pk"):
        tracking = objective_rules.tracking_of(objective, today)
        counts[tracking.status] += 1
        stale += tracking.stale
        if tracking.status in rank:
            unit = objective.unit
            latest = (
                f" · latest {objective_rules.with_unit(tracking.latest, unit)}"
                if tracking.latest is not None
                else ""
            )
            detail = (
                f"{tracking.label}{latest} · target "
                f"{objective_rules.with_unit(objective.target, unit)} by "
                f"{objective.due_date:%Y-%m-%d}"
            )
            url_of = reverse("workspace:objectives-detail", args=[objective.pk])
            attention.append(
                (rank[tracking.status], objective.due_date, Item(objective.title, detail, url_of))
            )
    attention.sort(key=lambda entry: (entry[0], entry[1]))
    measurements = _visible(
        Measurement.objects.filter(organization=organization, objective__archived_at__isnull=True),
        user,
    )
    return ObjectivesTile(
        available=True,
        url=url,
        active=sum(counts.values()),
        on_track=counts[objective_rules.ON_TRACK],
        at_risk=counts[objective_rules.AT_RISK],
        off_track=counts[objective_rules.OFF_TRACK],
        achieved=counts[objective_rules.ACHIEVED],
        no_data=counts[objective_rules.NO_DATA],
        stale=stale,
        attention=[item for _, _, item in attention[:LISTED]],
        measurements_by_month=_month_counts(measurements, "measured_on", months_of(today), today),
    )


def nonconformities(
    organization: Any, user: User | None, today: dt.date
) -> tuple[NonconformitiesTile, CycleTimeTile]:
    """Open nonconformities by grade and age (days since reported: under 30, 30 to 90, over
    90), overdue ones (`overdue_q`, the one definition), reported and closed per month, and
    days from report to closure of those closed in the last twelve months. Dismissed ones are
    left out, as in the analytics: they were not nonconformities after all."""
    url = reverse("improvement:nonconformities-list")
    analytics = reverse("improvement:analytics")
    if not _may(user, Nonconformity, organization):
        return NonconformitiesTile(False, url), CycleTimeTile(False, analytics)
    rows = _visible(
        Nonconformity.objects.filter(organization=organization, archived_at__isnull=True), user
    )
    months = months_of(today)
    is_open = ~Q(status__in=[NC_CLOSED, NC_DISMISSED])
    # Reported after day 30 (local dates), on day 30 to day 90, before day 90: bounded by
    # local midnights, as `_month_counts` explains.
    after_30 = _midnight(today - dt.timedelta(days=30), 1)
    from_90 = _midnight(today - dt.timedelta(days=90))
    counts = rows.aggregate(
        open=Count("pk", filter=is_open),
        major=Count("pk", filter=is_open & Q(severity=Nonconformity.Severity.MAJOR)),
        minor=Count("pk", filter=is_open & Q(severity=Nonconformity.Severity.MINOR)),
        not_graded=Count("pk", filter=is_open & Q(severity="")),
        under_30=Count("pk", filter=is_open & Q(created_at__gte=after_30)),
        days_30_90=Count(
            "pk", filter=is_open & Q(created_at__lt=after_30, created_at__gte=from_90)
        ),
        over_90=Count("pk", filter=is_open & Q(created_at__lt=from_90)),
        overdue=Count("pk", filter=overdue_q(today)),
    )
    closed_rows = closed_cycle_days(
        rows.filter(
            status=NC_CLOSED,
            closed_at__gte=_midnight(months[0]),
            closed_at__lt=_midnight(today, 1),
        )
    )
    days_by_month: dict[dt.date, list[int]] = defaultdict(list)
    for closed_day, days in closed_rows:
        days_by_month[closed_day.replace(day=1)].append(days)
    every = [d for days in days_by_month.values() for d in days]
    cycle = cycle_time(every)
    tile = NonconformitiesTile(
        available=True,
        url=url,
        open=counts["open"],
        major=counts["major"],
        minor=counts["minor"],
        not_graded=counts["not_graded"],
        under_30_days=counts["under_30"],
        days_30_to_90=counts["days_30_90"],
        over_90_days=counts["over_90"],
        overdue=counts["overdue"],
        opened_by_month=_month_counts(
            rows.exclude(status=NC_DISMISSED), "created_at", months, today
        ),
        closed_by_month=[MonthCount(m, len(days_by_month.get(m, []))) for m in months],
    )
    return tile, CycleTimeTile(
        available=True,
        url=analytics,
        closed=cycle.closed,
        median_days=cycle.median_days,
        p90_days=None if cycle.p90_days is None else float(cycle.p90_days),
        by_month=[
            MonthDays(m, len(days_by_month.get(m, [])), median(days_by_month.get(m, [])))
            for m in months
        ],
    )


def risks(organization: Any, user: User | None) -> RisksTile:
    """Open risks and information security risks whose current score (residual once rated,
    inherent before) is above the acceptance threshold of the organization's risk method."""
    url = reverse("risks:risks-list")
    if not _may(user, Risk, organization):
        return RisksTile(False, url)
    threshold = method_for(organization).acceptance_threshold
    rows = _visible(
        Risk.objects.filter(
            organization=organization,
            archived_at__isnull=True,
            kind__in=[Risk.Kind.RISK, Risk.Kind.INFOSEC],
        ).exclude(status=Risk.Status.CLOSED),
        user,
    ).annotate(current=Coalesce("residual_score", "inherent_score"))
    above = Q(current__gt=threshold)
    counts = rows.aggregate(
        open=Count("pk"),
        above=Count("pk", filter=above),
        above_risk=Count("pk", filter=above & Q(kind=Risk.Kind.RISK)),
        above_infosec=Count("pk", filter=above & Q(kind=Risk.Kind.INFOSEC)),
    )
    top = [
        Item(
            f"{risk.code} {risk.title}",
            f"score {risk.current} · {risk.get_kind_display()} · {risk.get_status_display()}",
            reverse("risks:risks-detail", args=[risk.pk]),
        )
        for risk in rows.filter(above).order_by("-current", "code")[:LISTED]
    ]
    return RisksTile(
        available=True,
        url=f"{url}?sort=-residual_score",
        threshold=threshold,
        open=counts["open"],
        above=counts["above"],
        above_risk=counts["above_risk"],
        above_infosec=counts["above_infosec"],
        top=top,
    )


def documents(organization: Any, user: User | None, today: dt.date) -> DocumentsTile:
    """Documents in force whose periodic review date has passed, and those due within 30
    days (obsolete and archived ones are not reviewed)."""
    url = f"{reverse('documents:documents-list')}?sort=review_due"
    if not _may(user, Document, organization):
        return DocumentsTile(False, url)
    rows = _visible(
        Document.objects.filter(
            organization=organization,
            archived_at__isnull=True,
            obsolete=False,
            review_due__isnull=False,
        ),
        user,
    )
    counts = rows.aggregate(
        past=Count("pk", filter=Q(review_due__lt=today)),
        soon=Count(
            "pk", filter=Q(review_due__gte=today, review_due__lte=today + dt.timedelta(days=30))
        ),
    )
    oldest = [
        Item(
            str(doc),
            f"review due {doc.review_due:%Y-%m-%d}",
            reverse("documents:documents-detail", args=[doc.pk]),
        )
        for doc in rows.filter(review_due__lt=today).order_by("review_due", "code")[:LISTED]
    ]
    return DocumentsTile(True, url, counts["past"], counts["soon"], oldest)


def competence(organization: Any, user: User | None, today: dt.date) -> CompetenceTile:
    """Mandatory competence gaps of the organization's people (`people.services.gaps`); only
    for the roles that read every person's training records."""
    url = reverse("people:matrix")
    if not _may(user, TrainingRecord, organization):
        return CompetenceTile(False, url)
    found = count_gaps(organization, as_of=today)
    return CompetenceTile(
        available=True,
        url=url,
        people=found.people,
        requirements=found.requirements,
        people_competent=found.people_competent,
        people_with_gaps=found.people_with_gaps,
        gaps=found.gaps,
    )
