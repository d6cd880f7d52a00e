"""The three-year programme: a client's certification cycle, its audits (planned from the
dates, then conducted with the audits capability), the review of the client's answers to
findings, and the certification decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pdca.core.models import OrgOwned


class CertificationCycle(OrgOwned):
    """One cycle of a client's certification to one or more standards: the initial audit
    (stage 1 and 2) or a recertification, the decision that starts it, two surveillance years
    and the recertification that renews it before the certificate expires."""

    record_type = "certification"

    class Status(models.TextChoices):
        INITIAL = "initial", "Initial audit"
        CERTIFIED = "certified", "Certified"
        ENDED = "ended", "Ended"

    client = models.ForeignKey(
        "certification.Client", on_delete=models.PROTECT, related_name="cycles"
    )
    application = models.ForeignKey(
        "certification.Application",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_cycle",
        help_text="The cycle this recertification renews",
    )
    number = models.PositiveSmallIntegerField(default=1, help_text="1 for the initial cycle")
    standards = models.ManyToManyField("standards.Standard", related_name="+")
    scope = models.TextField()
    sites = models.ManyToManyField("certification.ClientSite", blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INITIAL)
    decision_date = models.DateField(null=True, blank=True, editable=False)
    expiry_date = models.DateField(null=True, blank=True, editable=False)
    ended_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["organization", "client", "-number"]
        verbose_name = "certification cycle"
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="cycle_number_per_client")
        ]
        indexes = [models.Index(fields=["organization", "status"], name="cycle_org_status")]

    def __str__(self) -> str:
        return f"{self.client}, cycle {self.number}"

    def record_reason(self) -> str | None:
        return "it has a certification decision" if self.decision_date else None


class CycleAudit(OrgOwned):
    """One audit of a cycle's programme: due by a date the rules set, then scheduled as an
    audit of the certification body (plan, checklist, findings, report). A stage 1's outcome
    decides whether stage 2 may go ahead. An audit with `transition_to` also audits the move
    of the client's system to a new edition of a standard, before that edition's transition
    ends."""

    record_type = "certification"

    class Kind(models.TextChoices):
        STAGE1 = "stage1", "Stage 1"
        STAGE2 = "stage2", "Stage 2"
        SURVEILLANCE = "surveillance", "Surveillance"
        RECERTIFICATION = "recertification", "Recertification"
        SPECIAL = "special", "Special audit"
        SHORT_NOTICE = "short_notice", "Short-notice audit"
        TRANSITION = "transition", "Transition audit"

    class Stage1Outcome(models.TextChoices):
        READY = "ready", "Ready for stage 2"
        CONCERNS = "concerns", "Ready, with areas of concern"
        NOT_READY = "not_ready", "Not ready"

    cycle = models.ForeignKey(CertificationCycle, on_delete=models.PROTECT, related_name="audits")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(
        default=1, help_text="Surveillance 1 or 2; a repeated stage 2 is 2"
    )
    due_date = models.DateField(help_text="The latest date the rules allow")
    earliest_date = models.DateField(null=True, blank=True)
    audit = models.OneToOneField(
        "audits.Audit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certification_audit",
    )
    planned_days = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    delivered_days = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    deviation_reason = models.TextField(
        blank=True, help_text="Why the days delivered differ from those planned"
    )
    stage1_outcome = models.CharField(max_length=10, choices=Stage1Outcome.choices, blank=True)
    stage1_concerns = models.TextField(blank=True)
    cancelled_reason = models.CharField(max_length=300, blank=True, editable=False)
    reason = models.TextField(blank=True, help_text="Why a special or short-notice audit")
    transition_to = models.ManyToManyField(
        "standards.Standard",
        blank=True,
        related_name="+",
        help_text="The new editions this audit moves the certificate to: a transition audit, "
        "or a surveillance or recertification combined with one",
    )

    class Meta:
        ordering = ["organization", "due_date"]
        verbose_name = "programme audit"
        indexes = [models.Index(fields=["organization", "due_date"], name="cycle_audit_due")]

    def __str__(self) -> str:
        label = self.get_kind_display()
        if self.kind == self.Kind.SURVEILLANCE:
            label = f"{label} {self.sequence}"
        return f"{self.cycle.client}: {label}"

    def record_reason(self) -> str | None:
        if self.stage1_outcome:
            return "its stage 1 outcome is recorded"
        return None


class FindingReview(OrgOwned):
    """The certification body's review of a client's answer to a major or minor finding:
    correction, cause and corrective action received by the deadline, the plan accepted or
    rejected with a reason, and for a major the actions verified (within six months of the last
    day of stage 2, or stage 2 is repeated)."""

    record_type = "certification"

    class PlanStatus(models.TextChoices):
        AWAITED = "awaited", "Awaiting the client's answer"
        RECEIVED = "received", "Answer received"
        ACCEPTED = "accepted", "Plan accepted"
        REJECTED = "rejected", "Plan rejected"

    class Method(models.TextChoices):
        ON_SITE = "on_site", "On site"
        DOCUMENTARY = "documentary", "Documentary evidence"
        NEXT_AUDIT = "next_audit", "At the next audit"

    finding = models.OneToOneField(
        "audits.Finding", on_delete=models.PROTECT, related_name="certification_review"
    )
    response_due = models.DateField()
    closure_due = models.DateField(null=True, blank=True)
    responded_on = models.DateField(null=True, blank=True)
    correction = models.TextField(blank=True)
    root_cause = models.TextField(blank=True)
    corrective_action = models.TextField(blank=True)
    plan_status = models.CharField(
        max_length=9, choices=PlanStatus.choices, default=PlanStatus.AWAITED
    )
    plan_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan_reviewed_on = models.DateField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_on = models.DateField(null=True, blank=True)
    verification_method = models.CharField(max_length=12, choices=Method.choices, blank=True)
    verification_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["organization", "response_due"]
        verbose_name = "finding review"

    def __str__(self) -> str:
        return f"Review of {self.finding}"

    def record_reason(self) -> str | None:
        if self.verified_on:
            return "its actions are verified"
        if self.plan_status == self.PlanStatus.ACCEPTED:
            return "its plan is accepted (the decision relies on it)"
        return None


class CertificationDecision(OrgOwned):
    """The independent decision on a cycle (initial, recertification, restoration or scope
    change, transition to a new edition), taken by someone who was not on its audit team,
    against the checklist; a refusal lists what is missing. Granting one issues or renews the
    certificate, or for a transition moves it to the new edition."""

    record_type = "certification"

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial certification"
        RECERTIFICATION = "recertification", "Recertification"
        RESTORATION = "restoration", "Restoration after expiry"
        SCOPE_CHANGE = "scope_change", "Scope change"
        TRANSITION = "transition", "Transition to a new edition"

    class Outcome(models.TextChoices):
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    cycle = models.ForeignKey(
        CertificationCycle, on_delete=models.PROTECT, related_name="decisions"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField()
    checklist = models.JSONField(default=list, help_text="Each item: code, label, ok, detail")
    notes = models.TextField(blank=True)
    certificate = models.ForeignKey(
        "certification.Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )

    class Meta:
        ordering = ["organization", "-decided_on"]
        verbose_name = "certification decision"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.cycle.client}: {self.get_outcome_display()}"

    def record_reason(self) -> str:
        return "it is a certification decision"
