"""Who something is for: a role, a position, a team and a site, each optional (all empty means
everyone in the organization). Competence requirements, training assignments and awareness
campaigns share it, so "who must know this" is decided by one rule."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from pdca.core.roles import Role


class Audience(models.Model):
    role = models.CharField(
        max_length=40, choices=Role.choices, blank=True, help_text="Empty: any role"
    )
    position = models.CharField(
        max_length=150, blank=True, help_text="Job title as on the member's record; empty: any"
    )
    team = models.CharField(max_length=100, blank=True, help_text="Empty: any team")
    site = models.ForeignKey(
        "tenancy.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: every site",
    )

    class Meta:
        abstract = True

    def member_filter(self, prefix: str = "") -> Q:
        """Memberships (or rows reaching one through `prefix`) this audience covers."""
        q = Q()
        if self.role:
            q &= Q(**{f"{prefix}role": self.role})
        if self.position:
            q &= Q(**{f"{prefix}job_title__iexact": self.position})
        if self.team:
            q &= Q(**{f"{prefix}team__iexact": self.team})
        if self.site_id:
            q &= Q(**{f"{prefix}site_id": self.site_id})
        return q

    def covers(self, membership) -> bool:
        """Whether the member holding `membership` belongs to this audience."""
        return (
            (not self.role or membership.role == self.role)
            and (not self.position or membership.job_title.lower() == self.position.lower())
            and (not self.team or membership.team.lower() == self.team.lower())
            and (not self.site_id or membership.site_id == self.site_id)
        )

    @property
    def audience_label(self) -> str:
        parts = []
        if self.role:
            parts.append(Role(self.role).label)
        if self.position:
            parts.append(self.position)
        if self.team:
            parts.append(f"team {self.team}")
        if self.site_id:
            parts.append(f"at {self.site}")
        return ", ".join(parts) or "Everyone"
