"""What a person has to do about documents: reviews due, versions to approve, versions to
read; the page, the fragment for the home page and the API, for every role and the other
organization, in a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.documents.models import Acknowledgement, Approval, DocumentVersion
from pdca.documents.tasks_list import document_tasks
from tests.documents.test_coverage import make_doc, make_version

ROLES = sorted(ALL_ROLES)
Status = DocumentVersion.Status
#: Pages and the API use the real date: the data is placed around it.
TODAY = timezone.localdate()


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


APPROVERS = {Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.TOP_MANAGEMENT}


def version_url(version) -> str:
    return reverse("documents:version-detail", args=[version.pk])


@pytest.fixture
def work(personas):
    """The process owner owns two documents (one overdue, one due soon) and one far off; the
    consultant wrote a version now in review; the employee must read a published policy."""
    org = personas.org
    owner = personas.users[Role.PROCESS_OWNER]
    consultant = personas.users[Role.CONSULTANT]
    overdue = make_doc(org, "QP-001", "Purchasing", owner=owner, review_due=day(-29))
    soon = make_doc(org, "QP-002", "Sales", owner=owner, review_due=day(18))
    make_doc(org, "QP-003", "Design", owner=owner, review_due=day(91))
    make_doc(org, "QP-004", "Old", owner=owner, review_due=day(-400), obsolete=True)
    policy = make_doc(org, "POL-001", "Security policy")
    in_review = make_version(policy, consultant, 2, Status.IN_REVIEW)
    published = make_version(
        make_doc(org, "POL-002", "Code of conduct"), consultant, 1, Status.PUBLISHED
    )
    Acknowledgement.objects.create(
        organization=org, version=published, user=personas.employee, due_date=day(7)
    )
    return {"overdue": overdue, "soon": soon, "in_review": in_review, "published": published}


def summary(tasks):
    return [(t.kind, t.code, t.due, t.overdue) for t in tasks]


def test_the_owner_reviews_overdue_and_soon_due_documents(personas, work):
    tasks = document_tasks(personas.users[Role.PROCESS_OWNER], personas.org, today=TODAY)
    assert summary(tasks) == [
        ("review", "QP-001", day(-29), True),
        ("review", "QP-002", day(18), False),
    ]
    assert tasks[0].note == f"Review was due on {day(-29):%Y-%m-%d}"
    assert tasks[1].note == f"Review due on {day(18):%Y-%m-%d}"
    assert tasks[0].url == reverse("documents:documents-detail", args=[work["overdue"].pk])
    assert tasks[0].label == "Review"


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_approvers_other_than_the_author_see_versions_in_review(personas, work, role):
    tasks = [
        t
        for t in document_tasks(personas.users[role], personas.org, today=TODAY)
        if t.kind == "approve"
    ]
    if role in APPROVERS - {Role.CONSULTANT}:
        version = work["in_review"]
        assert summary(tasks) == [("approve", "POL-001", None, False)]
        assert (tasks[0].version_id, tasks[0].version_number) == (version.pk, 2)
        assert tasks[0].url == version_url(version)
        assert tasks[0].note == "Version 2 by Consultant A"
    else:
        # The consultant wrote it; the others may not approve.
        assert tasks == []


def test_a_decision_taken_removes_the_task(personas, work):
    Approval.objects.create(
        organization=personas.org,
        version=work["in_review"],
        reviewer=personas.manager,
        decision=Approval.Decision.APPROVED,
    )
    assert document_tasks(personas.manager, personas.org, today=TODAY) == []
    assert len(document_tasks(personas.users[Role.TOP_MANAGEMENT], personas.org, today=TODAY)) == 1


def test_pending_acknowledgements(personas, work):
    tasks = document_tasks(personas.employee, personas.org, today=TODAY)
    assert summary(tasks) == [("acknowledge", "POL-002", day(7), False)]
    assert tasks[0].note == f"Version 1, by {day(7):%Y-%m-%d}"
    assert tasks[0].url == version_url(work["published"])
    assert tasks[0].label == "Read and acknowledge"
    later = document_tasks(personas.employee, personas.org, today=day(8))
    assert later[0].overdue is True
    Acknowledgement.objects.update(acknowledged_at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    assert document_tasks(personas.employee, personas.org, today=TODAY) == []


def test_an_acknowledgement_of_a_superseded_version_is_no_task(personas, work):
    DocumentVersion.objects.filter(pk=work["published"].pk).update(status=Status.SUPERSEDED)
    assert document_tasks(personas.employee, personas.org, today=TODAY) == []


def test_nothing_from_another_organization(personas, work):
    assert document_tasks(personas.outsider, personas.org, today=TODAY) == []
    assert document_tasks(personas.outsider, personas.other, today=TODAY) == []


def test_overdue_first(personas, work):
    owner = personas.users[Role.PROCESS_OWNER]
    policy = work["published"]
    Acknowledgement.objects.create(
        organization=personas.org, version=policy, user=owner, due_date=day(-10)
    )
    assert summary(document_tasks(owner, personas.org, today=TODAY)) == [
        ("review", "QP-001", day(-29), True),
        ("acknowledge", "POL-002", day(-10), True),
        ("review", "QP-002", day(18), False),
    ]


def test_query_count_does_not_grow(personas, work):
    manager = personas.manager
    document_tasks(manager, personas.org, today=TODAY)

    def add(start, n):
        for i in range(start, start + n):
            doc = make_doc(personas.org, f"X-{i}", f"Doc {i}", owner=manager, review_due=day(-60))
            make_version(doc, personas.users[Role.CONSULTANT], 1, Status.IN_REVIEW)
            published = make_version(
                make_doc(personas.org, f"Y-{i}", f"Pub {i}"),
                personas.users[Role.CONSULTANT],
                1,
                Status.PUBLISHED,
            )
            Acknowledgement.objects.create(
                organization=personas.org, version=published, user=manager
            )

    add(0, 2)
    few, _ = count_queries(lambda: document_tasks(manager, personas.org, today=TODAY))
    add(2, 10)
    many, tasks = count_queries(lambda: document_tasks(manager, personas.org, today=TODAY))
    assert few == many == 3
    assert len(tasks) == 12 * 3 + 1


# --- page, fragment, API ------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_page_for_every_role(client, personas, work, role):
    login(client, personas.users[role])
    response = client.get(reverse("documents:my-tasks"))
    assert response.status_code == 200
    html = response.content.decode()
    expected = {
        Role.PROCESS_OWNER: "QP-001 Purchasing",
        Role.EMPLOYEE: "POL-002 Code of conduct",
        Role.SYSTEM_MANAGER: "POL-001 Security policy",
        Role.TOP_MANAGEMENT: "POL-001 Security policy",
    }.get(role)
    if expected:
        assert expected in html
    else:
        assert "Nothing to do about documents." in html


def test_page_anonymous_and_outsider(client, personas, work):
    assert client.get(reverse("documents:my-tasks")).status_code == 302
    login(client, personas.outsider)
    html = client.get(reverse("documents:my-tasks")).content.decode()
    assert "Nothing to do about documents." in html and "POL-" not in html


def test_page_query_count_does_not_grow(client, personas, work):
    login(client, personas.manager)
    few, _ = count_queries(lambda: client.get(reverse("documents:my-tasks")))
    for i in range(10):
        doc = make_doc(
            personas.org,
            f"Z-{i}",
            f"Doc {i}",
            owner=personas.manager,
            review_due=day(-60),
        )
        make_version(doc, personas.users[Role.CONSULTANT], 1, Status.IN_REVIEW)
    many, response = count_queries(lambda: client.get(reverse("documents:my-tasks")))
    assert response.status_code == 200
    assert few == many


def test_fragment_for_the_home_page(personas, work):
    tasks = document_tasks(personas.employee, personas.org, today=TODAY)
    html = render_to_string("documents/_tasks.html", {"document_tasks": tasks})
    assert "Documents to deal with" in html
    assert f'<a href="{version_url(work["published"])}">POL-002 Code of conduct</a>' in html
    assert "Nothing to do" in render_to_string("documents/_tasks.html", {"document_tasks": []})


API = "/api/v1/documents/my-tasks/"


@pytest.mark.parametrize("role", ROLES)
def test_api_for_every_role(client, personas, work, role):
    login(client, personas.users[role])
    response = client.get(API, {"organization": "org-a"})
    if role not in ORGANIZATION_ROLES:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    kinds = [t["kind"] for t in response.json()]
    assert kinds == {
        Role.PROCESS_OWNER: ["review", "review"],
        Role.EMPLOYEE: ["acknowledge"],
        Role.SYSTEM_MANAGER: ["approve"],
        Role.TOP_MANAGEMENT: ["approve"],
    }.get(role, [])


def test_api_body_anonymous_and_outsider(client, personas, work):
    assert client.get(API).status_code == 401
    login(client, personas.employee)
    (task,) = client.get(API).json()
    assert {k: v for k, v in task.items() if k != "overdue"} == {
        "kind": "acknowledge",
        "document": work["published"].document_id,
        "code": "POL-002",
        "title": "Code of conduct",
        "version": work["published"].pk,
        "version_number": 1,
        "due": day(7).isoformat(),
        "note": f"Version 1, by {day(7):%Y-%m-%d}",
        "url": version_url(work["published"]),
    }
    login(client, personas.outsider)
    assert client.get(API, {"organization": "org-a"}).status_code == 404
    assert client.get(API).json() == []
