"""API of the consultancy's portfolio: GET /api/v1/portfolio/. Its consultants and managers
get the figures of every client with an active consultancy engagement; anyone else gets 403
(problem code `not_consultant`) saying why: the portfolio is no other organization's data, so
there is nothing to hide behind a 404. Thin: `selectors.portfolio_for` computes the figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema
from pydantic import Field

from pdca.core.api import responses
from pdca.engagements.portfolio.selectors import portfolio_for, require_consultancy

router = Router(tags=["Engagements"])


class PortfolioOverdueOut(Schema):
    nonconformities: int = Field(description="Open, past their due date or a body's deadline")
    corrective_actions: int = Field(description="Planned, past their due date")
    review_actions: int = Field(description="Open management review actions past due")
    gap_items: int = Field(description="Gap items of open assessments past their target date")
    total: int


class PortfolioReadinessOut(Schema):
    system_id: int
    system: str
    code: str
    name: str
    percent: float | None = Field(description="null when nothing applies or not assessed")
    applicable: int
    assessment: str = Field(description="The gap assessment read; empty when none yet")
    assessed_on: dt.date | None


class PortfolioAuditOut(Schema):
    kind: str = Field(description="internal, or certification (a linked body's)")
    label: str
    body: str = Field(description="The certification body; empty for an internal audit")
    scheduled: bool
    start_date: dt.date | None
    end_date: dt.date | None
    due_date: dt.date | None = Field(description="Due by, while not scheduled")
    days_until: int | None


class PortfolioCertificateOut(Schema):
    number: str
    body: str
    standards: list[str]
    status: str
    status_label: str
    expires_on: dt.date
    days_left: int
    expiring: bool = Field(description="Valid and expiring within the notice days (or past)")
    suspended: bool


class PortfolioClientOut(Schema):
    engagement_id: int
    organization_id: int
    organization: str = Field(description="The client organization's slug")
    name: str
    consultancy: str
    since: dt.date | None
    member: bool = Field(description="You are a member of the client: its pages open for you")
    attention: list[str] = Field(description="What needs attention, in words (empty: nothing)")
    lowest_readiness: float | None
    readiness: list[PortfolioReadinessOut]
    overdue: PortfolioOverdueOut
    audits: list[PortfolioAuditOut] = Field(description="The next audits (at most 3)")
    audits_count: int
    audits_ahead: int = Field(description="Audits within the next 90 days")
    certificates: list[PortfolioCertificateOut]


class PortfolioTotalsOut(Schema):
    clients: int
    needing_attention: int
    overdue: PortfolioOverdueOut
    audits_ahead: int
    certificates_expiring: int
    certificates_suspended: int


class PortfolioNoticeDaysOut(Schema):
    certificate_expiry: int
    audit: int
    audits_ahead: int


class PortfolioOut(Schema):
    today: dt.date
    consultancies: list[str]
    notice_days: PortfolioNoticeDaysOut
    totals: PortfolioTotalsOut
    clients: list[PortfolioClientOut] = Field(description="Most things needing attention first")


@router.get("/portfolio/", response=responses(PortfolioOut))
def get_portfolio(request: Any) -> dict[str, Any]:
    """A consultancy's clients across them: readiness per adopted standard, overdue work,
    next internal and certification audits, and certificates (expiring ones flagged), with
    totals, the clients needing most attention first. For members of a consultancy other than
    its employees; 403 `not_consultant` for anyone else."""
    user = request.auth
    return portfolio_for(require_consultancy(user), user=user).as_dict()
