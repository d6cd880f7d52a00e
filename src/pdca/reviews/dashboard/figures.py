"""The top-management dashboard of one management system: what its tiles show, as plain
dataclasses that the page, the PDF, the API and the CLI all read (`as_dict()` gives JSON).

`dashboard_for` reads everything in a fixed number of aggregate queries, whatever the number
of records (`reads.py` holds one reader per tile). Registers that are kept per organization
rather than per system (objectives, nonconformities, risks, documents, competence) are read
for the whole organization; the system's own records (gap assessments, audit programmes,
certification audits, management reviews) for the system. A tile the user's role may not see
(competence, for a process owner) says so and reads nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from pdca.reviews.dashboard import reads
from pdca.reviews.dashboard.tiles import (
    CertificationTile,
    CompetenceTile,
    CycleTimeTile,
    DocumentsTile,
    NonconformitiesTile,
    ObjectivesTile,
    ProgrammeTile,
    ReadinessTile,
    ReviewTile,
    RisksTile,
)
from pdca.system.models import ManagementSystem
from pdca.system.services import active_standards

if TYPE_CHECKING:
    from pdca.accounts.models import User


@dataclass(frozen=True)
class Dashboard:
    organization: str
    organization_name: str
    system_id: int
    system_name: str
    standards: list[str]
    today: dt.date
    readiness: ReadinessTile
    objectives: ObjectivesTile
    nonconformities: NonconformitiesTile
    cycle_time: CycleTimeTile
    risks: RisksTile
    documents: DocumentsTile
    competence: CompetenceTile
    audit_programme: ProgrammeTile
    certification: CertificationTile
    management_review: ReviewTile

    def as_dict(self) -> dict[str, Any]:
        """Every figure as JSON types: dates as ISO 8601 strings, decimals as floats."""
        plain = _plain(dataclasses.asdict(self))
        assert isinstance(plain, dict)
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def local_today() -> dt.date:
    """Today where the organization works (one place, so tests can fix the date)."""
    return timezone.localdate()


def dashboard_for(
    system: ManagementSystem, *, user: User | None, today: dt.date | None = None
) -> Dashboard:
    """The dashboard of `system` as `user` may see it (`None`: the operator at the command
    line, who sees everything), on `today` (the local date by default)."""
    today = today or local_today()
    organization = system.organization
    standards = active_standards(system)
    nonconformities, cycle = reads.nonconformities(organization, user, today)
    return Dashboard(
        organization=organization.slug,
        organization_name=organization.name,
        system_id=system.pk,
        system_name=system.name,
        standards=[str(s) for s in standards],
        today=today,
        readiness=reads.readiness(system, standards, user, today),
        objectives=reads.objectives(organization, user, today),
        nonconformities=nonconformities,
        cycle_time=cycle,
        risks=reads.risks(organization, user),
        documents=reads.documents(organization, user, today),
        competence=reads.competence(organization, user, today),
        audit_programme=reads.audit_programme(system, user, today),
        certification=reads.certification(system, standards, user, today),
        management_review=reads.management_review(system, user, today),
    )
