"""The "My corrective-action tasks" page: what each role has to do, overdue first and
highlighted, in a fixed number of queries however many rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import CorrectiveAction, Nonconformity

pytestmark = pytest.mark.django_db
URL = "/nonconformities/tasks/"
S = Nonconformity.Status


def nc(org, title: str, **fields) -> Nonconformity:
    values = {"description": "x", "source": "employee", **fields}
    return Nonconformity.objects.create(organization=org, title=title, **values)


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def fill(personas, rows: int) -> None:
    """`rows` of each kind of task: the process owner's actions and nonconformities, checks
    ready for verifiers, reports to triage (the employee's)."""
    org, users = personas.org, personas.users
    owner, employee = users[Role.PROCESS_OWNER], users[Role.EMPLOYEE]
    for i in range(rows):
        planned = nc(org, f"Planned {i}", status=S.ACTION_PLANNED, owner=owner, due_date=days(30))
        CorrectiveAction.objects.create(
            organization=org,
            nonconformity=planned,
            title=f"Action {i}",
            owner=owner,
            due_date=days(i - rows // 2),
        )
        nc(org, f"Triaged {i}", status=S.TRIAGED, owner=owner, due_date=days(i - rows // 2))
        nc(
            org,
            f"Done {i}",
            status=S.IMPLEMENTED,
            severity="minor",
            owner=owner,
            implemented_at=timezone.now() - dt.timedelta(days=30),
        )
        nc(org, f"New {i}", status=S.REPORTED, reported_by=employee)


def test_the_url_is_named_tasks():
    assert reverse("improvement:tasks") == URL


def test_the_owner_sees_actions_and_nonconformities_overdue_first(client, personas):
    org, owner = personas.org, personas.users[Role.PROCESS_OWNER]
    late = nc(org, "Late one", status=S.TRIAGED, owner=owner, due_date=days(-3))
    soon = nc(org, "Soon one", status=S.CONTAINED, owner=owner, due_date=days(5))
    CorrectiveAction.objects.create(
        organization=org, nonconformity=soon, title="Fix later", owner=owner, due_date=days(9)
    )
    CorrectiveAction.objects.create(
        organization=org, nonconformity=soon, title="Fix first", owner=owner, due_date=days(-1)
    )
    login(client, owner)
    response = client.get(URL)
    page = response.content.decode()
    tasks = response.context["tasks"]
    assert [a.title for a in tasks.actions] == ["Fix first", "Fix later"]
    assert [n.pk for n in tasks.nonconformities] == [late.pk, soon.pk]
    assert [n.next_step for n in tasks.nonconformities] == [
        "Record the correction (containment)",
        "Analyse the cause",
    ]
    assert page.index("Fix first") < page.index("Fix later")
    owned = page[page.index('id="my-nonconformities"') :]
    assert owned.index("Late one") < owned.index("Soon one")
    assert page.count('class="table-danger"') == 2
    assert "2 overdue" in page
    assert 'id="to-triage"' not in page
    assert 'id="my-checks"' not in page


def test_the_system_manager_sees_reports_to_triage_and_checks(client, personas):
    org, owner = personas.org, personas.users[Role.PROCESS_OWNER]
    nc(org, "Oil on the floor", status=S.REPORTED, reported_by=personas.employee)
    ready = nc(
        org,
        "Ready to check",
        status=S.IMPLEMENTED,
        severity="minor",
        owner=owner,
        implemented_at=timezone.now() - dt.timedelta(days=20),
    )
    waiting = nc(
        org,
        "Still waiting",
        status=S.IMPLEMENTED,
        severity="major",
        owner=owner,
        implemented_at=timezone.now(),
    )
    login(client, personas.manager)
    response = client.get(URL)
    tasks = response.context["tasks"]
    assert [n.title for n in tasks.triage] == ["Oil on the floor"]
    assert [(n.pk, n.check_ready) for n in tasks.verifications] == [
        (ready.pk, True),
        (waiting.pk, False),
    ]
    page = response.content.decode()
    assert "Reports waiting for triage" in page
    assert "Effectiveness checks I may make" in page


def test_the_internal_auditor_sees_checks_but_no_triage(client, personas):
    nc(personas.org, "Oil on the floor", status=S.REPORTED, reported_by=personas.employee)
    nc(
        personas.org,
        "Ready to check",
        status=S.IMPLEMENTED,
        severity="minor",
        implemented_at=timezone.now() - dt.timedelta(days=20),
    )
    login(client, personas.users[Role.INTERNAL_AUDITOR])
    tasks = client.get(URL).context["tasks"]
    assert [n.title for n in tasks.verifications] == ["Ready to check"]
    assert tasks.triage == []


def test_the_employee_sees_what_they_reported_with_its_status(client, personas):
    nc(personas.org, "Oil on the floor", status=S.TRIAGED, reported_by=personas.employee)
    nc(personas.org, "Someone else's", status=S.REPORTED, reported_by=personas.manager)
    login(client, personas.employee)
    response = client.get(URL)
    page = response.content.decode()
    assert [n.title for n in response.context["tasks"].reported] == ["Oil on the floor"]
    assert "Oil on the floor</a></td><td>Triaged</td>" in page
    assert "Someone else" not in page
    assert 'id="no-tasks"' in page


def test_an_outsider_sees_none_of_our_tasks(client, personas):
    fill(personas, 2)
    login(client, personas.outsider)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["tasks"].count == 0
    assert "Planned 0" not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", [Role.PROCESS_OWNER, Role.SYSTEM_MANAGER, Role.EMPLOYEE])
def test_the_page_makes_the_same_queries_at_2_and_12_rows(client, personas, role):
    user = personas.users[role]
    login(client, user)
    counts = []
    for rows in (2, 12):
        Nonconformity.objects.all().delete()
        fill(personas, rows)
        client.get(URL)  # warm the session and the user's roles
        queries, response = count_queries(lambda: client.get(URL))
        assert response.status_code == 200
        counts.append(queries)
    assert counts[0] == counts[1]


def test_the_home_page_lists_my_tasks_overdue_flagged(client, personas):
    fill(personas, 2)
    login(client, personas.users[Role.PROCESS_OWNER])
    html = client.get("/").content.decode()
    assert 'id="capa-tasks-heading"' in html
    assert html.count('<span class="badge text-bg-danger">overdue</span>') >= 2
