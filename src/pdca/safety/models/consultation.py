"""Consultation and participation of workers (45001 5.4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from pdca.core.models import Archivable, OrgOwned, RequirementLinked


class Consultation(Archivable, OrgOwned, RequirementLinked):
    """One occasion on which workers were consulted or took part in a decision about health
    and safety: when, on what topic, in what form, who took part (members of the organization
    and others by name), whether non-managerial workers were among them, what was decided and
    the follow-up."""

    record_type = "context"

    class Topic(models.TextChoices):
        HAZARDS = "hazards", "Hazard identification and risk assessment"
        INCIDENTS = "incidents", "Incident investigation"
        OBJECTIVES = "objectives", "OH&S objectives"
        CHANGES = "changes", "Changes (new work, equipment, processes)"
        PPE = "ppe", "Choice of PPE"
        TRAINING = "training", "Training needs"
        CONTROLS = "controls", "Controls and their effectiveness"
        POLICY = "policy", "OH&S policy"
        LEGAL = "legal", "Legal and other requirements"
        CONTRACTORS = "contractors", "Contractors and outsourcing"
        EMERGENCY = "emergency", "Emergency preparedness"
        OTHER = "other", "Other"

    class Format(models.TextChoices):
        COMMITTEE = "committee", "Health and safety committee meeting"
        TOOLBOX_TALK = "toolbox_talk", "Toolbox talk"
        SURVEY = "survey", "Survey"
        TEAM_MEETING = "team_meeting", "Team meeting"
        WORKSHOP = "workshop", "Workshop"
        WALKTHROUGH = "walkthrough", "Safety walk"
        SUGGESTIONS = "suggestions", "Suggestion scheme"
        OTHER = "other", "Other"

    title = models.CharField(max_length=200)
    held_on = models.DateField("date")
    topic = models.CharField(max_length=12, choices=Topic.choices)
    format = models.CharField(max_length=14, choices=Format.choices)
    site = models.ForeignKey(
        "tenancy.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        help_text="Members of the organization who took part",
    )
    other_participants = models.TextField(
        blank=True, help_text="Others who took part (names, one a line), e.g. agency workers"
    )
    other_non_managerial = models.PositiveSmallIntegerField(
        "non-managerial workers among the others",
        default=0,
        help_text="How many of the others named are non-managerial workers",
    )
    #: Members among the participants whose role was non-managerial when this was saved.
    members_non_managerial = models.PositiveSmallIntegerField(default=0, editable=False)
    workers_took_part = models.BooleanField(
        "non-managerial workers took part", default=False, editable=False
    )
    decisions = models.TextField("what was decided", blank=True)
    follow_up = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who sees to the follow-up",
    )
    follow_up_due = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["organization", "-held_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def record_reason(self) -> str | None:
        if self.decisions.strip() and self.held_on <= timezone.localdate():
            return "it was held and its decisions are recorded"
        return None
