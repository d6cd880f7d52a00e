"""Which sections each role's home shows, in the order they matter to that role, and the
pages it leads to. The activity log stays off the home page: those who may read it get a
link."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pdca.core.models import ActivityEntry
from pdca.core.permissions import may
from pdca.core.roles import Role
from pdca.improvement.models import Nonconformity
from pdca.reviews.models import ManagementReview
from pdca.web.home import audits, certification, engagements, reviews, work
from pdca.web.home.items import Section, url

IMPLEMENTERS = (Role.SYSTEM_MANAGER, Role.CONSULTANT)
CB_AUDITORS = (Role.LEAD_AUDITOR, Role.AUDITOR, Role.TECHNICAL_EXPERT)


def sections_for(user: Any, org: Any, role: str | None, today: dt.date) -> list[Section]:
    """The home sections of `user`, who holds `role` in `org`."""
    found: list[Section | None] = []
    if role == Role.TOP_MANAGEMENT:
        capa, _ = work.corrective_action(user, org, today)
        found += [
            reviews.reviews_due(user, org, today),
            reviews.minutes_to_approve(user, org),
            engagements.plans_to_send(user, org, today),
            engagements.requests_to_answer(user, org, today),
            reviews.review_actions(user, org, today),
            work.documents(user, org, today, title="Approvals and documents"),
            capa,
            work.objectives(user, org, today),
            work.training(user, org, today),
        ]
    elif role in IMPLEMENTERS:
        capa, _ = work.corrective_action(user, org, today)
        found += [
            reviews.reviews_due(user, org, today),
            engagements.plans_to_send(user, org, today),
            engagements.requests_to_answer(user, org, today),
            capa,
            work.documents(user, org, today),
            work.gap_items(user, org, today, everyone=True),
            reviews.review_actions(user, org, today),
            work.risks(user, org, today, everyone=True),
            work.objectives(user, org, today),
            work.training(user, org, today),
        ]
    elif role == Role.PROCESS_OWNER:
        capa, _ = work.corrective_action(user, org, today)
        found += [
            reviews.review_actions(user, org, today),
            engagements.plans_to_send(user, org, today),
            capa,
            work.objectives(user, org, today),
            work.risks(user, org, today),
            work.documents(user, org, today),
            work.gap_items(user, org, today),
            work.training(user, org, today),
        ]
    elif role == Role.INTERNAL_AUDITOR:
        mine = audits.my_audits(user, org)
        capa, _ = work.corrective_action(user, org, today)
        found += [
            audits.audits_section(user, org, mine, today),
            audits.fieldwork_section(user, mine),
            capa,
            reviews.review_actions(user, org, today),
            work.documents(user, org, today),
            audits.qualification_section(user, org, today),
            work.training(user, org, today),
        ]
    elif role == Role.EMPLOYEE:
        _, tasks = work.corrective_action(user, org, today)
        found += [
            work.documents(user, org, today, title="Documents to read"),
            work.training(user, org, today),
            work.reported(tasks),
            reviews.review_actions(user, org, today),
        ]
    elif role == Role.CB_MANAGER:
        found += [
            certification.to_schedule(user, org, today),
            certification.answers_to_review(user, org, today, everyone=True),
            engagements.answers_to_check(user, org, today),
            certification.decisions_waiting(user, org),
            certification.editions_in_transition(user, org, today),
            audits.audits_section(user, org, audits.my_audits(user, org), today),
            work.training(user, org, today),
        ]
    elif role in CB_AUDITORS:
        mine = audits.my_audits(user, org)
        found += [
            audits.audits_section(user, org, mine, today),
            audits.fieldwork_section(user, mine),
            certification.answers_to_review(user, org, today, everyone=False),
            engagements.answers_to_check(user, org, today),
            work.training(user, org, today),
        ]
    elif role == Role.CERTIFICATION_DECISION_MAKER:
        found += [
            certification.decisions_waiting(user, org),
            work.training(user, org, today),
        ]
    else:  # administrators: their own reading and training; sites and members are linked
        found += [work.documents(user, org, today), work.training(user, org, today)]
    return [s for s in found if s is not None]


def shortcuts(user: Any, org: Any, role: str | None) -> list[dict[str, str]]:
    """Pages the role goes to often, beyond its tasks (only those it may open)."""
    candidates: list[tuple[str, str, bool]] = []
    if role == Role.EMPLOYEE:
        candidates.append(
            (
                "Report a problem",
                "improvement:report",
                may(user, "report", Nonconformity, organization=org),
            )
        )
    reader = may(user, "view", ManagementReview, organization=org)
    if role in (Role.TOP_MANAGEMENT, *IMPLEMENTERS):
        candidates += [
            ("Dashboard", "reviews:dashboard", reader),
            ("Leadership", "reviews:leadership", reader),
            ("Management reviews", "reviews:management-reviews-list", reader),
        ]
    if role in (Role.PROCESS_OWNER, *IMPLEMENTERS, Role.INTERNAL_AUDITOR):
        candidates.append(
            (
                "Report a nonconformity",
                "improvement:report",
                may(user, "report", Nonconformity, organization=org),
            )
        )
    if role in (Role.ADMIN,):
        candidates += [
            ("Members", "tenancy:member_list", True),
            ("Sites", "tenancy:site_list", True),
            ("Organization", "tenancy:organization", True),
        ]
    candidates.append(
        ("Activity log", "web:activity", may(user, "view", ActivityEntry, organization=org))
    )
    links = []
    for label, name, allowed in candidates:
        address = url(name) if allowed else ""
        if address:
            links.append({"label": label, "url": address})
    return links
