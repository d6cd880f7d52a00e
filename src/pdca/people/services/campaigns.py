"""Awareness campaigns (7.3): launching one asks its audience to acknowledge the documents'
published versions and assigns its path; its report says, per person, team and site, who has
read and passed, which is the evidence an auditor samples."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from pdca.core.activity import record_activity
from pdca.core.concurrency import lock_for_update
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.permissions import may, require
from pdca.documents.acknowledgements import request_acknowledgement
from pdca.documents.models import Acknowledgement, DocumentVersion
from pdca.people.models import Assignment, AwarenessCampaign, QuizAttempt
from pdca.people.services.assignments import STATUS_LABELS, covered_members, path_progress
from pdca.tenancy.models import Membership

Status = AwarenessCampaign.Status


def _published_versions(campaign: AwarenessCampaign) -> list[DocumentVersion]:
    return list(
        DocumentVersion.objects.filter(
            document__in=campaign.documents.all(), status=DocumentVersion.Status.PUBLISHED
        ).select_related("document")
    )


@transaction.atomic
def launch_campaign(campaign: AwarenessCampaign, *, actor) -> AwarenessCampaign:
    """Ask everyone the campaign covers to acknowledge its documents and take its path."""
    require(actor, "change", campaign)
    campaign = lock_for_update(campaign)
    if campaign.status != Status.DRAFT:
        raise Conflict(
            f"The campaign is already {campaign.get_status_display().lower()}.", code="not_draft"
        )
    if campaign.due_date < timezone.localdate():
        raise ValidationFailed.single("due_date", "The due date is past; move it before launching.")
    members = covered_members(campaign.organization, campaign)
    if not members:
        raise ValidationFailed.single("role", "Nobody is covered by this campaign's audience.")
    documents = list(campaign.documents.all())
    versions = _published_versions(campaign)
    unpublished = sorted({d.pk for d in documents} - {v.document_id for v in versions})
    if unpublished:
        names = ", ".join(str(d) for d in documents if d.pk in unpublished)
        raise ValidationFailed.single("documents", f"Not published yet: {names}.")
    users = [m.user for m in members]
    for version in versions:
        request_acknowledgement(version, actor=actor, users=users, due_date=campaign.due_date)
    if campaign.path_id:
        assignment = Assignment.objects.create(
            organization=campaign.organization,
            path=campaign.path,
            role=campaign.role,
            position=campaign.position,
            team=campaign.team,
            site=campaign.site,
            due_date=campaign.due_date,
            owner=campaign.owner or actor,
            campaign=campaign,
            note=f"Awareness campaign: {campaign.title}"[:300],
        )
        record_activity(actor=actor, action="create", obj=assignment)
    campaign.status = Status.LAUNCHED
    campaign.launched_at = timezone.now()
    campaign.launched_by = actor
    campaign.save(update_fields=["status", "launched_at", "launched_by", "updated_at"])
    record_activity(
        actor=actor,
        action="launch",
        obj=campaign,
        message=f"{len(members)} people, {len(versions)} documents",
    )
    return campaign


@transaction.atomic
def close_campaign(campaign: AwarenessCampaign, *, actor) -> AwarenessCampaign:
    require(actor, "change", campaign)
    campaign = lock_for_update(campaign)
    if campaign.status != Status.LAUNCHED:
        raise Conflict("Only a launched campaign can be closed.", code="not_launched")
    campaign.status = Status.CLOSED
    campaign.save(update_fields=["status", "updated_at"])
    record_activity(actor=actor, action="close", obj=campaign)
    return campaign


@dataclass
class PersonLine:
    membership: Membership
    acknowledged: int
    asked: int
    path_status: str
    best_score: int | None

    @property
    def complete(self) -> bool:
        docs = self.acknowledged >= self.asked
        return docs and self.path_status in ("passed", "none")

    @property
    def path_label(self) -> str:
        return STATUS_LABELS[self.path_status]


@dataclass
class GroupLine:
    name: str
    people: int = 0
    complete: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return (self.complete * 100) // self.people if self.people else 0

    @property
    def average_score(self) -> int | None:
        return round(sum(self.scores) / len(self.scores)) if self.scores else None


@dataclass
class CampaignReport:
    campaign: AwarenessCampaign
    as_of: dt.date
    versions: list[DocumentVersion]
    people: list[PersonLine]
    teams: list[GroupLine]
    sites: list[GroupLine]

    @property
    def complete(self) -> int:
        return sum(1 for p in self.people if p.complete)

    @property
    def percent(self) -> int:
        return (self.complete * 100) // len(self.people) if self.people else 0


def campaign_report(campaign: AwarenessCampaign, *, as_of: dt.date | None = None) -> CampaignReport:
    """Per person, team and site: documents acknowledged, path passed and best score."""
    as_of = as_of or timezone.localdate()
    members = covered_members(campaign.organization, campaign)
    user_ids = [m.user_id for m in members]
    versions = _published_versions(campaign)
    acknowledged: dict[int, int] = defaultdict(int)
    asked: dict[int, int] = defaultdict(int)
    for user_id, at in Acknowledgement.objects.filter(
        version__document__in=campaign.documents.all(), user_id__in=user_ids
    ).values_list("user_id", "acknowledged_at"):
        asked[user_id] += 1
        if at is not None:
            acknowledged[user_id] += 1
    statuses: dict[int, str] = {}
    scores: dict[int, int] = {}
    if campaign.path is not None:
        for row in path_progress(
            campaign.organization, campaign.path, members, due_date=campaign.due_date, as_of=as_of
        ):
            statuses[row.membership.user_id] = row.status
        for person_id, score in QuizAttempt.objects.filter(
            enrolment__path_id=campaign.path_id, enrolment__person_id__in=user_ids
        ).values_list("enrolment__person_id", "score"):
            scores[person_id] = max(score, scores.get(person_id, 0))
    documents_needed = len(versions)
    people = [
        PersonLine(
            membership=m,
            acknowledged=acknowledged[m.user_id],
            asked=max(asked[m.user_id], documents_needed),
            path_status=statuses.get(m.user_id, "none"),
            best_score=scores.get(m.user_id),
        )
        for m in members
    ]
    return CampaignReport(
        campaign,
        as_of,
        versions,
        people,
        _groups(people, lambda p: p.membership.team or "No team"),
        _groups(people, lambda p: str(p.membership.site) if p.membership.site_id else "No site"),
    )


def _groups(people: list[PersonLine], key) -> list[GroupLine]:
    groups: dict[str, GroupLine] = {}
    for person in people:
        group = groups.setdefault(key(person), GroupLine(key(person)))
        group.people += 1
        group.complete += person.complete
        if person.best_score is not None:
            group.scores.append(person.best_score)
    return sorted(groups.values(), key=lambda g: g.name)


def campaign_detail_context(request, campaign: AwarenessCampaign) -> dict[str, Any]:
    report = campaign_report(campaign) if campaign.status != Status.DRAFT else None
    return {
        "report": report,
        "may_launch": campaign.status == Status.DRAFT and may(request.user, "change", campaign),
        "may_close": campaign.status == Status.LAUNCHED and may(request.user, "change", campaign),
    }
