"""One definition of "overdue": a nonconformity's own due date, or a certification body's
response or closure deadline still owed; lists, analytics and task lists agree."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.core.roles import Role
from pdca.improvement.analytics.figures import nonconformity_analytics
from pdca.improvement.deadlines import overdue_q, overdue_since
from pdca.improvement.models import Nonconformity
from pdca.improvement.selectors import capa_tasks
from tests.improvement.factories import make_cast

pytestmark = pytest.mark.usefixtures("catalog")

TODAY = dt.date(2026, 12, 6)


def _nc(org, reference, **fields):
    values = {"title": reference, "description": "x", "source": "certification_audit"}
    return Nonconformity.objects.create(
        organization=org, reference=reference, **{**values, **fields}
    )


def test_a_late_response_is_overdue_though_the_closure_is_months_away(personas):
    make_cast(personas)
    org, owner = personas.org, personas.users[Role.PROCESS_OWNER]
    late_response = _nc(
        org,
        "S2-F1",
        status="triaged",
        owner=owner,
        due_date=TODAY + dt.timedelta(days=45),
        response_due=TODAY - dt.timedelta(days=15),
        closure_due=TODAY + dt.timedelta(days=45),
    )
    answered = _nc(
        org,
        "S2-F2",
        status="action_planned",
        owner=owner,
        due_date=TODAY + dt.timedelta(days=45),
        response_due=TODAY - dt.timedelta(days=15),
        closure_due=TODAY + dt.timedelta(days=45),
    )
    own_date = _nc(
        org,
        "NC-1",
        source="internal_audit",
        status="contained",
        owner=owner,
        due_date=TODAY - dt.timedelta(days=2),
    )
    _nc(
        org, "NC-2", source="internal_audit", status="closed", due_date=TODAY - dt.timedelta(days=9)
    )

    overdue = Nonconformity.objects.filter(overdue_q(TODAY))
    assert sorted(overdue.values_list("reference", flat=True)) == ["NC-1", "S2-F1"]
    assert overdue_since(late_response, TODAY) == TODAY - dt.timedelta(days=15)
    assert overdue_since(answered, TODAY) is None
    assert overdue_since(own_date, TODAY) == TODAY - dt.timedelta(days=2)

    assert nonconformity_analytics(org, personas.manager, today=TODAY).overdue == 2
    tasks = capa_tasks(owner, org, today=TODAY)
    assert [n.reference for n in tasks.nonconformities][:2] == ["S2-F1", "NC-1"]
    assert tasks.overdue == 2
