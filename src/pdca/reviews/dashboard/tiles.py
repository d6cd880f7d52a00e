"""The tiles of the top-management dashboard: what each one shows, as plain frozen dataclasses
(`figures.Dashboard` holds one of each). A tile whose register the user's role may not see has
`available` False and its defaults."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    """One row a tile lists, linked to its record."""

    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class MonthCount:
    """A count for one calendar month (`month` is its first day)."""

    month: dt.date
    count: int


@dataclass(frozen=True)
class MonthDays:
    """The median days to close of the nonconformities closed in one month."""

    month: dt.date
    closed: int
    median_days: float | None


@dataclass(frozen=True)
class StandardScore:
    code: str
    name: str
    percent: float | None
    applicable: int


@dataclass(frozen=True)
class ReadinessPoint:
    """Overall readiness of one gap assessment started in the last twelve months."""

    assessment_id: int
    title: str
    started_on: dt.date
    percent: float | None


@dataclass(frozen=True)
class ReadinessTile:
    available: bool
    url: str
    assessment_id: int | None = None
    assessment_title: str = ""
    assessment_status: str = ""
    started_on: dt.date | None = None
    overall: float | None = None
    standards: list[StandardScore] = field(default_factory=list)
    history: list[ReadinessPoint] = field(default_factory=list)


@dataclass(frozen=True)
class ObjectivesTile:
    available: bool
    url: str
    active: int = 0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    achieved: int = 0
    no_data: int = 0
    stale: int = 0
    attention: list[Item] = field(default_factory=list)
    measurements_by_month: list[MonthCount] = field(default_factory=list)


@dataclass(frozen=True)
class NonconformitiesTile:
    available: bool
    url: str
    open: int = 0
    major: int = 0
    minor: int = 0
    not_graded: int = 0
    under_30_days: int = 0
    days_30_to_90: int = 0
    over_90_days: int = 0
    overdue: int = 0
    opened_by_month: list[MonthCount] = field(default_factory=list)
    closed_by_month: list[MonthCount] = field(default_factory=list)


@dataclass(frozen=True)
class CycleTimeTile:
    available: bool
    url: str
    closed: int = 0
    median_days: float | None = None
    p90_days: float | None = None
    by_month: list[MonthDays] = field(default_factory=list)


@dataclass(frozen=True)
class RisksTile:
    available: bool
    url: str
    threshold: int = 0
    open: int = 0
    above: int = 0
    above_risk: int = 0
    above_infosec: int = 0
    top: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentsTile:
    available: bool
    url: str
    past_review: int = 0
    due_within_30_days: int = 0
    oldest: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class CompetenceTile:
    available: bool
    url: str
    people: int = 0
    requirements: int = 0
    people_competent: int = 0
    people_with_gaps: int = 0
    gaps: int = 0


@dataclass(frozen=True)
class ProgrammeTile:
    available: bool
    url: str
    programme_id: int | None = None
    title: str = ""
    status: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    planned: int = 0
    done: int = 0
    in_progress: int = 0
    overdue: int = 0
    percent: float | None = None


@dataclass(frozen=True)
class AuditItem:
    id: int
    reference: str
    title: str
    audit_type: str
    audit_type_label: str
    start_date: dt.date
    end_date: dt.date
    url: str


@dataclass(frozen=True)
class CertificationTile:
    available: bool
    url: str
    upcoming: list[AuditItem] = field(default_factory=list)
    upcoming_count: int = 0
    #: No certificate record of the organization's own exists yet (the certification body's
    #: certificate will be linked to it): the tile says so and invents no expiry date.
    certificate_linked: bool = False
    certificate_expires: dt.date | None = None
    system_status: str = ""
    system_status_label: str = ""
    certification_target_date: dt.date | None = None


@dataclass(frozen=True)
class ReviewTile:
    available: bool
    url: str
    interval_months: int = 0
    last_held: dt.date | None = None
    next_planned: dt.date | None = None
    next_due: dt.date | None = None
    overdue: bool = False
    due_soon: bool = False
