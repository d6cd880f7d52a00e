"""The demo organization's risk method: the usual 5 × 5 scales, likelihood × impact, scores
up to 6 accepted without treatment (idempotent: an existing method is left alone)."""

from __future__ import annotations

from pdca.accounts.models import User
from pdca.risks.method.services import update_method
from pdca.risks.models import RiskMethod
from pdca.risks.models.method import (
    default_bands,
    default_impact_labels,
    default_likelihood_labels,
)
from pdca.tenancy.models import Organization

ORGANIZATION = "acme"
MANAGER = "quality@acme.example"


def load(context: dict) -> None:
    org = Organization.objects.filter(slug=ORGANIZATION).first()
    manager = User.objects.filter(email=MANAGER).first()
    if org is None or manager is None or RiskMethod.objects.filter(organization=org).exists():
        return
    context["risk_method"] = update_method(
        org,
        actor=manager,
        name="Acme risk method",
        likelihood_labels=default_likelihood_labels(),
        impact_labels=default_impact_labels(),
        score_rule=RiskMethod.ScoreRule.PRODUCT,
        acceptance_threshold=6,
        bands=default_bands(),
    )
