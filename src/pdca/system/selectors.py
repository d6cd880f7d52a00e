"""Read-side rules of the management system that every other app shares."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from pdca.standards.models import Requirement
from pdca.system.models import AdoptedStandard, Exclusion

if TYPE_CHECKING:
    from pdca.tenancy.models import Organization


def requirement_choices(organization: Organization) -> QuerySet[Requirement]:
    """Requirements of the standards the organization's systems follow (every standard when it
    has adopted none yet), in catalog order: what any entry of the organization may cite."""
    queryset = Requirement.objects.filter(retired=False).select_related("standard")
    adopted = AdoptedStandard.objects.filter(
        organization=organization, dropped_on__isnull=True
    ).values("standard_id")
    if adopted.exists():
        queryset = queryset.filter(standard_id__in=adopted)
    return queryset.order_by("standard__name", "sort_key")


def excluded_requirements(system_ids: Iterable[int]) -> dict[int, dict[int, str]]:
    """{system id: {requirement id: justification}}: what each system declared not applicable,
    with every sub-requirement of an excluded clause (excluding 9001 8.3 excludes 8.3.1 to
    8.3.6, with 8.3's justification). Coverage, readiness, checklists and audit programmes all
    ask this, so they agree. One query for the exclusions and one per level of the clause tree.
    """
    found: dict[int, dict[int, str]] = {system_id: {} for system_id in system_ids}
    if not found:
        return found
    frontier: dict[int, list[tuple[int, str]]] = {}
    for system_id, requirement_id, justification in Exclusion.objects.filter(
        system_id__in=list(found)
    ).values_list("system_id", "requirement_id", "justification"):
        found[system_id][requirement_id] = justification
        frontier.setdefault(requirement_id, []).append((system_id, justification))
    while frontier:
        children: dict[int, list[tuple[int, str]]] = {}
        for child_id, parent_id in Requirement.objects.filter(
            parent_id__in=list(frontier)
        ).values_list("pk", "parent_id"):
            for system_id, justification in frontier[parent_id]:
                # An exclusion of the sub-requirement itself keeps its own justification.
                if child_id not in found[system_id]:
                    found[system_id][child_id] = justification
                    children.setdefault(child_id, []).append((system_id, justification))
        frontier = children
    return found
