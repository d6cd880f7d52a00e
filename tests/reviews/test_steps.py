"""The review steps beyond the registers, role by role, in our organization and from another
one (404): the schedule and its interval, compiling and assessing inputs, the transition, the
minutes as JSON, PDF and DOCX; bad input gets a 4xx naming the field and changes nothing."""

from __future__ import annotations

import pytest

from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.reviews import services
from pdca.reviews.models import ManagementReview, ReviewPlan
from pdca.reviews.permissions import READERS, REVIEWERS

from .factories import make_review, make_system

pytestmark = pytest.mark.django_db

ORG_ROLES = sorted(ORGANIZATION_ROLES)
OUTSIDERS = [*sorted(ALL_ROLES - ORGANIZATION_ROLES), "outsider"]


def user_of(personas, role):
    return personas.outsider if role == "outsider" else personas.users[role]


def compiled(personas) -> ManagementReview:
    review = make_review(personas.org)
    services.compile_inputs(review, actor=personas.manager)
    return review


@pytest.mark.parametrize("role", ORG_ROLES)
def test_compile_by_role(client, catalog, personas, role):
    review = make_review(personas.org)
    login(client, personas.users[role])
    response = client.post(f"/api/v1/management-reviews/{review.pk}/compile/")
    if role in REVIEWERS:
        assert response.status_code == 200, response.content
        assert response.json()[0]["key"] == "previous_actions"
    else:
        assert response.status_code == (403 if role in READERS else 404)
        assert not review.inputs.exists()


@pytest.mark.parametrize("role", OUTSIDERS)
def test_another_organization_never_sees_a_review(client, catalog, personas, role):
    review = compiled(personas)
    item = review.inputs.first()
    login(client, user_of(personas, role))
    for url in (
        f"/api/v1/management-reviews/{review.pk}/inputs/",
        f"/api/v1/management-reviews/{review.pk}/minutes/",
        f"/api/v1/management-reviews/{review.pk}/minutes.pdf",
        f"/api/v1/review-inputs/{item.pk}/",
        f"/management-reviews/{review.pk}/minutes/",
        f"/management-reviews/{review.pk}/minutes.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/management-reviews/{review.pk}/compile/").status_code == 404
    response = client.put(
        f"/api/v1/review-inputs/{item.pk}/", {"assessment": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.post(f"/management-reviews/{review.pk}/compile/").status_code == 404


@pytest.mark.parametrize("role", ORG_ROLES)
def test_assess_input_by_role(client, catalog, personas, role):
    item = compiled(personas).inputs.get(key="objectives")
    login(client, personas.users[role])
    response = client.put(
        f"/api/v1/review-inputs/{item.pk}/",
        {"assessment": "Two objectives off track"},
        content_type="application/json",
    )
    item.refresh_from_db()
    if role in REVIEWERS:
        assert response.status_code == 200, response.content
        assert item.assessment == "Two objectives off track"
        assert item.assessed_by == personas.users[role]
    else:
        assert response.status_code == (403 if role in READERS else 404)
        assert item.assessment == ""


def test_an_assessment_written_on_a_stale_version_is_refused(client, catalog, personas):
    item = compiled(personas).inputs.get(key="objectives")
    login(client, personas.manager)
    etag = client.get(f"/api/v1/review-inputs/{item.pk}/").headers["ETag"]
    services.assess_input(item, actor=personas.users[Role.TOP_MANAGEMENT], assessment="First")
    response = client.put(
        f"/api/v1/review-inputs/{item.pk}/",
        {"assessment": "Second"},
        content_type="application/json",
        headers={"If-Match": etag},
    )
    assert response.status_code == 412
    item.refresh_from_db()
    assert item.assessment == "First"


@pytest.mark.parametrize("role", ORG_ROLES)
def test_approve_by_role(client, catalog, personas, role):
    review = compiled(personas)
    for item in review.inputs.all():
        services.assess_input(item, actor=personas.manager, assessment="Considered")
    ManagementReview.objects.filter(pk=review.pk).update(conclusions="Effective")
    review.refresh_from_db()
    services.transition_review(review, actor=personas.manager, to="held")
    login(client, personas.users[role])
    response = client.post(
        f"/api/v1/management-reviews/{review.pk}/transition/",
        {"to": "approved"},
        content_type="application/json",
    )
    review.refresh_from_db()
    if role == Role.TOP_MANAGEMENT:
        assert response.status_code == 200, response.content
        assert response.json()["minutes_sha256"] == review.minutes_sha256 != ""
        minutes = client.get(f"/api/v1/management-reviews/{review.pk}/minutes/").json()
        assert minutes["frozen"] and minutes["intact"]
        assert minutes["content"]["conclusions"] == "Effective"
    else:
        assert response.status_code == (403 if role in READERS else 404)
        assert review.status == "held" and review.minutes_sha256 == ""


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"to": "closed"}, "to"), ({"to": "cancelled"}, "reason"), ({"to": "held", "x": 1}, "x")],
)
def test_bad_transitions_name_the_field_and_change_nothing(
    client, catalog, personas, payload, field
):
    review = make_review(personas.org)
    login(client, personas.manager)
    response = client.post(
        f"/api/v1/management-reviews/{review.pk}/transition/",
        payload,
        content_type="application/json",
    )
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    review.refresh_from_db()
    assert review.status == "planned"


def test_holding_without_compiled_inputs_names_what_is_missing(client, catalog, personas):
    review = make_review(personas.org)
    login(client, personas.manager)
    response = client.post(
        f"/api/v1/management-reviews/{review.pk}/transition/",
        {"to": "held"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["code"] for e in response.json()["errors"]] == ["not_compiled"]


@pytest.mark.parametrize("role", ORG_ROLES)
def test_schedule_and_interval_by_role(client, catalog, personas, role):
    system = make_system(personas.org)
    login(client, personas.users[role])
    listed = client.get("/api/v1/management-reviews/schedule/")
    page = client.get("/management-reviews/schedule/")
    response = client.put(
        f"/api/v1/management-reviews/schedule/{system.pk}/",
        {"interval_months": 6},
        content_type="application/json",
    )
    if role in READERS:
        assert listed.status_code == 200 and page.status_code == 200
        assert [row["system"] for row in listed.json()] == [system.pk]
        assert system.name in page.content.decode()
    else:
        assert listed.status_code == 404 and page.status_code == 403
    if role in REVIEWERS:
        assert response.status_code == 200, response.content
        assert ReviewPlan.objects.get(system=system).interval_months == 6
    else:
        assert response.status_code in (403, 404)
        assert not ReviewPlan.objects.filter(system=system).exists()


def test_an_interval_out_of_range_is_refused(client, catalog, personas):
    system = make_system(personas.org)
    login(client, personas.manager)
    response = client.put(
        f"/api/v1/management-reviews/schedule/{system.pk}/",
        {"interval_months": 48},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not ReviewPlan.objects.filter(system=system).exists()


def test_the_review_page_compiles_assesses_and_holds(client, catalog, personas):
    review = make_review(personas.org)
    login(client, personas.users[Role.TOP_MANAGEMENT])
    client.post(f"/management-reviews/{review.pk}/compile/")
    item = review.inputs.get(key="nonconformities")
    client.post(
        f"/management-reviews/{review.pk}/inputs/{item.pk}/",
        {f"input-{item.pk}-assessment": "Cycle time too long"},
    )
    item.refresh_from_db()
    assert item.assessment == "Cycle time too long"
    page = client.get(f"/management-reviews/{review.pk}/").content.decode()
    assert "Nonconformities and corrective actions" in page
    assert "Cycle time too long" in page
    client.post(f"/management-reviews/{review.pk}/transition/", {"to": "held"})
    review.refresh_from_db()
    assert review.status == "held"
    for url, magic in (("minutes.pdf", b"%PDF"), ("minutes.docx", b"PK")):
        response = client.get(f"/management-reviews/{review.pk}/{url}")
        assert response.status_code == 200 and response.content.startswith(magic)


def test_the_review_page_costs_the_same_queries_with_more_inputs_and_actions(
    client, catalog, personas, django_assert_max_num_queries
):
    from .factories import make_output

    review = compiled(personas)
    login(client, personas.manager)
    client.get(f"/management-reviews/{review.pk}/")
    make_output(personas.org, 1, review=review)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(f"/management-reviews/{review.pk}/")
    for index in range(2, 12):
        make_output(personas.org, index, review=review)
    with CaptureQueriesContext(connection) as large:
        client.get(f"/management-reviews/{review.pk}/")
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("role", ORG_ROLES)
def test_closing_an_action_by_role(client, catalog, personas, role):
    from .factories import make_output

    owner = personas.users[Role.PROCESS_OWNER]
    output = make_output(personas.org, 1, kind="action", owner=owner)
    login(client, personas.users[role])
    response = client.post(
        f"/api/v1/review-actions/{output.pk}/close/",
        {"to": "done", "outcome": "Engineer hired in May"},
        content_type="application/json",
    )
    output.refresh_from_db()
    if role in REVIEWERS or role == Role.PROCESS_OWNER:
        assert response.status_code == 200, response.content
        assert (output.status, output.outcome) == ("done", "Engineer hired in May")
        again = client.post(
            f"/api/v1/review-actions/{output.pk}/close/",
            {"to": "cancelled", "outcome": "Twice"},
            content_type="application/json",
        )
        assert again.status_code == 409
    else:
        assert response.status_code == (403 if role in READERS else 404)
        assert output.status == "open"


def test_an_employee_sees_and_closes_only_the_actions_they_own(client, catalog, personas):
    from .factories import make_output

    mine = make_output(personas.org, 1, kind="action", owner=personas.employee)
    other = make_output(personas.org, 2)
    login(client, personas.employee)
    ids = {row["id"] for row in client.get("/api/v1/review-actions/").json()["items"]}
    assert ids == {mine.pk}
    assert client.get(f"/review-actions/{other.pk}/").status_code == 404
    page = client.get(f"/review-actions/{mine.pk}/").content.decode()
    assert "Mark done" in page
    client.post(f"/review-actions/{mine.pk}/close/", {"to": "done", "outcome": "Read it"})
    mine.refresh_from_db()
    assert mine.status == "done"
