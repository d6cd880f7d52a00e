"""Competence gaps counted for the dashboard, without building the competence matrix.

`people.services.competence.competence_matrix` builds a model instance per membership and per
training record and a cell per person and requirement: about 0.4 to 1.7 s for 2,000 people and
10,000 records, more than the whole dashboard may take. The dashboard needs only counts, and
whether a cell is a gap does not depend on the actions planned (a planned action turns a gap
"planned", still a gap). So this reads plain tuples in three queries and applies the matrix's
rules to them:

- a requirement applies to a member when its audience covers them (`Audience.covers`: role,
  position, team and site, case-insensitive for position and team);
- an "experience" requirement is met when the member has a record for it and the experience
  records add up to its minimum months (`experience_months`, rounded to 0.1 month as there);
- any other requirement is met when a record counts as evidence (`counts_as_evidence`: linked
  by requirement or path; passed, or attended for "assessed" requirements) and has not expired
  on the day (`expiry_of`: the record's own expiry or its completion plus the requirement's
  validity, whichever is sooner); a record expiring soon still meets it;
- a gap is a mandatory requirement that applies and is not met.

`tests/reviews/test_dashboard.py` checks these counts against `competence_matrix` on data that
exercises every rule, so a change of the matrix's rules that is not made here fails there.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from pdca.people.models import CompetenceRequirement, TrainingRecord
from pdca.people.services.competence import EXPERIENCE_KINDS, MONTH_DAYS
from pdca.people.services.rules import add_months
from pdca.tenancy.models import Membership

Evaluation = CompetenceRequirement.Evaluation
Result = TrainingRecord.Result


@dataclass(frozen=True)
class GapCount:
    people: int
    requirements: int
    people_competent: int
    people_with_gaps: int
    gaps: int


@dataclass(frozen=True)
class _Requirement:
    pk: int
    path_id: int | None
    evaluation: str
    mandatory: bool
    validity_months: int | None
    min_experience_months: int
    role: str
    position: str
    team: str
    site_id: int | None

    def covers(self, role: str, position: str, team: str, site_id: int | None) -> bool:
        return (
            (not self.role or role == self.role)
            and (not self.position or position == self.position)
            and (not self.team or team == self.team)
            and (not self.site_id or site_id == self.site_id)
        )


def _evidence(result: str, requirement: _Requirement) -> bool:
    """`counts_as_evidence` once the record is known to be linked to the requirement."""
    if result == Result.PASSED:
        return True
    return result == Result.ATTENDED and requirement.evaluation in (
        Evaluation.ASSESSED,
        Evaluation.EXPERIENCE,
    )


def _valid_on(
    expires_on: dt.date | None, completed_on: dt.date | None, validity: int | None, day: dt.date
) -> bool:
    """Whether evidence still counts on `day` (`expiry_of`: no expiry counts for ever)."""
    dates = [expires_on] if expires_on else []
    if validity and completed_on:
        dates.append(add_months(completed_on, validity))
    return not dates or min(dates) > day


def count_gaps(organization: Any, *, as_of: dt.date) -> GapCount:
    """People, requirements in force, people without a mandatory gap, people with one, and
    mandatory gaps, as the competence matrix of `organization` on `as_of` counts them."""
    requirements = [
        _Requirement(
            pk=r["pk"],
            path_id=r["path_id"],
            evaluation=r["evaluation"],
            mandatory=r["mandatory"],
            validity_months=r["validity_months"],
            min_experience_months=r["min_experience_months"] or 0,
            role=r["role"],
            position=r["position"].lower(),
            team=r["team"].lower(),
            site_id=r["site_id"],
        )
        for r in CompetenceRequirement.objects.filter(
            organization=organization, archived_at__isnull=True
        ).values(
            "pk",
            "path_id",
            "evaluation",
            "mandatory",
            "validity_months",
            "min_experience_months",
            "role",
            "position",
            "team",
            "site_id",
        )
    ]
    members = list(
        Membership.objects.filter(organization=organization, user__is_active=True).values_list(
            "user_id", "role", "job_title", "team", "site_id"
        )
    )
    if not requirements or not members:
        competent = len(members)
        return GapCount(len(members), len(requirements), competent, 0, 0)
    by_pk = {r.pk: r for r in requirements}
    by_path: dict[int, list[_Requirement]] = defaultdict(list)
    for r in requirements:
        if r.path_id is not None:
            by_path[r.path_id].append(r)
    # (person, requirement) pairs met, and experience days logged per pair.
    met: set[tuple[int, int]] = set()
    has_record: set[tuple[int, int]] = set()
    days: dict[tuple[int, int], int] = defaultdict(int)
    records = TrainingRecord.objects.filter(
        organization=organization, archived_at__isnull=True, person__in=[m[0] for m in members]
    ).filter(Q(requirement_id__in=list(by_pk)) | Q(path_id__in=list(by_path)))
    for (
        person,
        kind,
        requirement_id,
        path_id,
        result,
        started,
        completed,
        expires,
    ) in records.values_list(
        "person_id",
        "kind",
        "requirement_id",
        "path_id",
        "result",
        "started_on",
        "completed_on",
        "expires_on",
    ).order_by():
        linked = list(by_path.get(path_id, ())) if path_id is not None else []
        direct = by_pk.get(requirement_id) if requirement_id is not None else None
        if direct is not None and direct not in linked:
            linked.append(direct)
        for requirement in linked:
            pair = (person, requirement.pk)
            if requirement.evaluation == Evaluation.EXPERIENCE:
                if requirement is not direct:
                    continue  # experience is read from records of the requirement itself
                has_record.add(pair)
                if kind in EXPERIENCE_KINDS and started and result != Result.FAILED:
                    end = min(completed or as_of, as_of)
                    days[pair] += max((end - started).days, 0)
            elif _evidence(result, requirement) and _valid_on(
                expires, completed, requirement.validity_months, as_of
            ):
                met.add(pair)
    for pair in has_record:
        requirement = by_pk[pair[1]]
        if round(days[pair] / MONTH_DAYS, 1) >= requirement.min_experience_months:
            met.add(pair)
    mandatory = [r for r in requirements if r.mandatory]
    gaps = people_with_gaps = 0
    for user_id, role, job_title, team, site_id in members:
        position, team_name = job_title.lower(), team.lower()
        mine = sum(
            1
            for r in mandatory
            if r.covers(role, position, team_name, site_id) and (user_id, r.pk) not in met
        )
        gaps += mine
        people_with_gaps += 1 if mine else 0
    return GapCount(
        people=len(members),
        requirements=len(requirements),
        people_competent=len(members) - people_with_gaps,
        people_with_gaps=people_with_gaps,
        gaps=gaps,
    )
