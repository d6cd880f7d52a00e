"""The programme's API and pages: the permission matrix (each role of the CB, the implementer
and the outsider), bad input naming the field with nothing written, and query counts at two
sizes for the calendar and the cycle page."""

import datetime as dt

import pytest

from pdca.certification.models import CertificationDecision, CycleAudit, FindingReview
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from tests.certification.programme_factories import finding, hold, new_cycle, stage

pytestmark = pytest.mark.django_db
K = CycleAudit.Kind
CB_ROLES = sorted(ALL_ROLES - ORGANIZATION_ROLES)
MANAGERS = {Role.CB_MANAGER}
REVIEWERS = {Role.CB_MANAGER, Role.LEAD_AUDITOR, Role.AUDITOR}


def as_(client, personas, who):
    user = personas.outsider if who == "outsider" else personas.users[who]
    login(client, user)
    return user


EVERYONE = [*CB_ROLES, Role.SYSTEM_MANAGER, Role.EMPLOYEE, "outsider"]


@pytest.mark.parametrize("who", EVERYONE)
def test_reads_by_role(client, personas, who):
    cycle = new_cycle(personas)
    as_(client, personas, who)
    member = who in CB_ROLES
    for url in (
        "/api/v1/cb/cycles/",
        "/api/v1/cb/programme/?months=6",
        "/api/v1/cb/finding-reviews/",
    ):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content)
        assert (response.json()["count"] > 0) == (member and "finding" not in url), url
    for url in (
        f"/api/v1/cb/cycles/{cycle.pk}/",
        f"/api/v1/cb/cycles/{cycle.pk}/checklist/",
        f"/api/v1/cb/cycle-audits/{stage(cycle, K.STAGE1).pk}/",
        f"/cb/cycles/{cycle.pk}/",
        "/cb/cycles/",
    ):
        response = client.get(url)
        expected = 200 if member else 404
        if url == "/cb/cycles/" and not member:
            expected = 200  # an empty list: nothing of the body shows
        assert response.status_code == expected, (url, response.status_code)
    assert client.get("/cb/programme/").status_code == (200 if member else 404)


@pytest.mark.parametrize("who", EVERYONE)
def test_schedule_by_role(client, personas, who):
    cycle = new_cycle(personas)
    s1 = stage(cycle, K.STAGE1)
    as_(client, personas, who)
    body = {"start_date": "2027-05-03", "end_date": "2027-05-04"}
    response = client.post(
        f"/api/v1/cb/cycle-audits/{s1.pk}/schedule/", body, content_type="application/json"
    )
    expected = 200 if who in MANAGERS or who == Role.ADMIN else 403 if who in CB_ROLES else 404
    assert response.status_code == expected, response.content
    s1.refresh_from_db()
    assert (s1.audit_id is not None) == (expected == 200)


@pytest.mark.parametrize("who", EVERYONE)
def test_review_steps_by_role(client, personas, who):
    cycle = new_cycle(personas)
    audit = hold(stage(cycle, K.STAGE1), dt.date(2027, 3, 1))
    review = FindingReview.objects.get(
        finding=finding(audit, "minor", personas.users[Role.LEAD_AUDITOR])
    )
    as_(client, personas, who)
    body = {
        "correction": "a",
        "root_cause": "b",
        "corrective_action": "c",
        "responded_on": dt.date.today().isoformat(),
    }
    response = client.post(
        f"/api/v1/cb/finding-reviews/{review.pk}/answer/", body, content_type="application/json"
    )
    allowed = who in REVIEWERS or who == Role.ADMIN
    expected = 200 if allowed else 403 if who in CB_ROLES else 404
    assert response.status_code == expected, response.content
    review.refresh_from_db()
    assert (review.plan_status == "received") == allowed


@pytest.mark.parametrize("who", EVERYONE)
def test_decide_by_role(client, personas, who):
    cycle = new_cycle(personas)
    as_(client, personas, who)
    body = {"outcome": "refused", "notes": "Stage 2 not held"}
    response = client.post(
        f"/api/v1/cb/cycles/{cycle.pk}/decisions/", body, content_type="application/json"
    )
    allowed = who == Role.CERTIFICATION_DECISION_MAKER
    expected = 201 if allowed else 403 if who in CB_ROLES else 404
    assert response.status_code == expected, response.content
    assert CertificationDecision.objects.exists() == allowed


def test_granting_an_incomplete_cycle_lists_what_is_missing(client, personas):
    cycle = new_cycle(personas)
    as_(client, personas, Role.CERTIFICATION_DECISION_MAKER)
    response = client.post(
        f"/api/v1/cb/cycles/{cycle.pk}/decisions/",
        {"outcome": "granted"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "decision_checklist_incomplete"
    assert "Audit report issued" in response.json()["detail"]
    assert not CertificationDecision.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("schedule", {"start_date": "2027-05-03", "end_date": "2027-05-01"}, "end_date"),
        ("schedule", {"start_date": "someday", "end_date": "2027-05-01"}, "start_date"),
        (
            "schedule",
            {"start_date": "2027-05-03", "end_date": "2027-05-04", "lead_auditor": 999999},
            "lead_auditor",
        ),
        ("delivered-days", {"days": -1}, "days"),
        ("stage1-outcome", {"outcome": "concerns", "concerns": ""}, "concerns"),
        ("stage1-outcome", {"outcome": "perhaps"}, "outcome"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(client, personas, path, body, field):
    cycle = new_cycle(personas)
    s1 = stage(cycle, K.STAGE1)
    if path == "stage1-outcome":
        hold(s1, dt.date(2027, 3, 1))
    as_(client, personas, Role.CB_MANAGER)
    before = CycleAudit.objects.get(pk=s1.pk)
    response = client.post(
        f"/api/v1/cb/cycle-audits/{s1.pk}/{path}/", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in {e["field"].split(".")[-1] for e in response.json()["errors"]} | {
        e["field"] for e in response.json()["errors"]
    }, response.json()
    after = CycleAudit.objects.get(pk=s1.pk)
    assert (after.audit_id, after.stage1_outcome, after.delivered_days) == (
        before.audit_id,
        before.stage1_outcome,
        before.delivered_days,
    )


def test_calendar_filters(client, personas):
    lead = personas.users[Role.LEAD_AUDITOR]
    cycle = new_cycle(personas, accepted_on=dt.date.today())
    other = new_cycle(personas, 1, standards=("iso14001-2015",))
    hold(
        stage(cycle, K.STAGE1), dt.date.today() + dt.timedelta(days=5), lead=lead, status="planned"
    )
    as_(client, personas, Role.CB_MANAGER)

    def ids(query):
        response = client.get(f"/api/v1/cb/programme/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    s1 = stage(cycle, K.STAGE1).pk
    assert ids(f"auditor={lead.pk}") == {s1}
    assert ids("standard=iso14001-2015&months=12") == {
        stage(other, K.STAGE1).pk,
        stage(other, K.STAGE2).pk,
    }
    assert ids("status=scheduled") == {s1}
    assert ids(f"client={other.client_id}&months=6") == {stage(other, K.STAGE1).pk}
    bad = client.get("/api/v1/cb/programme/?month=2027-13")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "month"


def _rows(personas, n, start):
    for i in range(n):
        cycle = new_cycle(personas, start + i)
        hold(stage(cycle, K.STAGE1), dt.date.today(), lead=personas.users[Role.LEAD_AUDITOR])


def test_calendar_query_count_is_constant(client, personas):
    as_(client, personas, Role.CB_MANAGER)
    _rows(personas, 2, 0)
    small, _ = count_queries(lambda: client.get("/cb/programme/"))
    api_small, _ = count_queries(lambda: client.get("/api/v1/cb/programme/"))
    _rows(personas, 8, 2)
    large, response = count_queries(lambda: client.get("/cb/programme/"))
    api_large, _ = count_queries(lambda: client.get("/api/v1/cb/programme/"))
    assert response.content.count(b"Stage 1") >= 10
    assert (large, api_large) == (small, api_small)


def test_cycle_page_query_count_is_constant(client, personas):
    lead = personas.users[Role.LEAD_AUDITOR]
    cycle = new_cycle(personas)
    audit = hold(stage(cycle, K.STAGE1), dt.date(2027, 3, 1), lead=lead)
    finding(audit, "minor", lead)
    as_(client, personas, Role.CB_MANAGER)
    small, _ = count_queries(lambda: client.get(f"/cb/cycles/{cycle.pk}/"))
    api_small, _ = count_queries(lambda: client.get(f"/api/v1/cb/cycles/{cycle.pk}/"))
    for i in range(5):
        finding(audit, "major", lead, title=f"Gap {i}")
    large, response = count_queries(lambda: client.get(f"/cb/cycles/{cycle.pk}/"))
    api_large, _ = count_queries(lambda: client.get(f"/api/v1/cb/cycles/{cycle.pk}/"))
    assert response.content.count(b"Gap ") >= 5
    assert (large, api_large) == (small, api_small)


@pytest.mark.parametrize("who", EVERYONE)
def test_page_steps_by_role(client, personas, who):
    cycle = new_cycle(personas)
    s1 = stage(cycle, K.STAGE1)
    as_(client, personas, who)
    response = client.post(
        f"/cb/cycle-audits/{s1.pk}/schedule/",
        {"start_date": "2027-05-03", "end_date": "2027-05-04"},
    )
    allowed = who in MANAGERS or who == Role.ADMIN
    expected = 302 if allowed else 403 if who in CB_ROLES else 404
    assert response.status_code == expected
    s1.refresh_from_db()
    assert (s1.audit_id is not None) == allowed


def test_page_bad_input_names_the_field(client, personas):
    cycle = new_cycle(personas)
    s1 = stage(cycle, K.STAGE1)
    as_(client, personas, Role.CB_MANAGER)
    response = client.post(
        f"/cb/cycle-audits/{s1.pk}/schedule/",
        {"start_date": "2027-05-03", "end_date": "2027-05-01"},
    )
    assert response.status_code == 422
    assert b"end_date" in response.content
    s1.refresh_from_db()
    assert s1.audit_id is None


def test_cycle_open_page(client, personas):
    from tests.certification.programme_factories import accepted_application

    application = accepted_application(personas.cb)
    as_(client, personas, Role.AUDITOR)
    assert client.post(f"/cb/applications/{application.pk}/open-cycle/").status_code == 403
    as_(client, personas, Role.CB_MANAGER)
    response = client.post(f"/cb/applications/{application.pk}/open-cycle/")
    assert response.status_code == 302
    assert response["Location"].startswith("/cb/cycles/")
    assert client.post(f"/cb/applications/{application.pk}/open-cycle/").status_code == 409
    as_(client, personas, "outsider")
    assert client.post(f"/cb/applications/{application.pk}/open-cycle/").status_code == 404


# --- every write, API and page, by every role ------------------------------------------------

CB_ADMIN = "cb_admin"
WRITERS = [*CB_ROLES, CB_ADMIN, Role.SYSTEM_MANAGER, Role.EMPLOYEE, "outsider"]


def _user(personas, who):
    from pdca.accounts.models import User

    if who == CB_ADMIN:
        return User.objects.get(email="admin@cb.example")
    return personas.outsider if who == "outsider" else personas.users[who]


def _setup(personas, name):
    """(API path, API body, page path, page data, allowed roles, written?) of one write."""
    from pdca.certification.services import finding_reviews as fr
    from tests.certification.programme_factories import accepted_application

    manager, lead = personas.users[Role.CB_MANAGER], personas.users[Role.LEAD_AUDITOR]
    today = dt.date.today().isoformat()
    if name == "open":
        application = accepted_application(personas.cb, 5)
        return (
            "/api/v1/cb/cycles/",
            {"application": application.pk},
            f"/cb/applications/{application.pk}/open-cycle/",
            {},
            MANAGERS,
            lambda: application.cycles.exists(),
        )
    cycle = new_cycle(personas)
    s1 = stage(cycle, K.STAGE1)
    if name == "decide":
        body = {"kind": "initial", "outcome": "refused", "notes": "Not audited", "on": today}
        return (
            f"/api/v1/cb/cycles/{cycle.pk}/decisions/",
            body,
            f"/cb/cycles/{cycle.pk}/decide/",
            body,
            {Role.CERTIFICATION_DECISION_MAKER},
            lambda: CertificationDecision.objects.filter(cycle=cycle).exists(),
        )
    if name == "special":
        body = {"kind": "special", "due_date": "2027-06-01", "reason": "Complaint"}
        return (
            f"/api/v1/cb/cycles/{cycle.pk}/special-audits/",
            body,
            f"/cb/cycles/{cycle.pk}/special/",
            body,
            MANAGERS,
            lambda: cycle.audits.filter(kind="special").exists(),
        )
    hold(s1, dt.date(2026, 11, 2))
    if name == "repeat":
        body = {"kind": "stage1", "reason": "Not ready"}
        return (
            f"/api/v1/cb/cycles/{cycle.pk}/repeat/",
            body,
            f"/cb/cycles/{cycle.pk}/repeat/",
            body,
            MANAGERS,
            lambda: cycle.audits.filter(kind="stage1", sequence=2).exists(),
        )
    if name == "outcome":
        body = {"outcome": "ready", "concerns": ""}
        return (
            f"/api/v1/cb/cycle-audits/{s1.pk}/stage1-outcome/",
            body,
            f"/cb/cycle-audits/{s1.pk}/stage1-outcome/",
            body,
            MANAGERS,
            lambda: CycleAudit.objects.get(pk=s1.pk).stage1_outcome == "ready",
        )
    if name == "days":
        body = {"days": "1.5", "reason": ""}
        return (
            f"/api/v1/cb/cycle-audits/{s1.pk}/delivered-days/",
            body,
            f"/cb/cycle-audits/{s1.pk}/delivered-days/",
            body,
            MANAGERS,
            lambda: CycleAudit.objects.get(pk=s1.pk).delivered_days is not None,
        )
    review = FindingReview.objects.get(finding=finding(s1.audit, "minor", lead))
    fr.record_client_answer(review, "a", "b", "c", dt.date.today(), actor=manager)
    if name == "review":
        return (
            f"/api/v1/cb/finding-reviews/{review.pk}/review/",
            {"accept": True, "reason": ""},
            f"/cb/finding-reviews/{review.pk}/review/",
            {"accept": "yes", "reason": ""},
            REVIEWERS,
            lambda: FindingReview.objects.get(pk=review.pk).plan_status == "accepted",
        )
    fr.review_plan(review, True, "", actor=manager)
    body = {"method": "next_audit", "notes": "Seen", "on": today}
    return (
        f"/api/v1/cb/finding-reviews/{review.pk}/verify/",
        body,
        f"/cb/finding-reviews/{review.pk}/verify/",
        body,
        REVIEWERS,
        lambda: FindingReview.objects.get(pk=review.pk).verified_on is not None,
    )


@pytest.mark.parametrize("channel", ["api", "page"])
@pytest.mark.parametrize(
    "name", ["open", "special", "repeat", "outcome", "days", "review", "verify", "decide"]
)
@pytest.mark.parametrize("who", WRITERS)
def test_every_write_by_role(client, personas, channel, name, who):
    api_path, api_body, page_path, page_data, allowed, written = _setup(personas, name)
    login(client, _user(personas, who))
    if channel == "api":
        response = client.post(api_path, api_body, content_type="application/json")
        ok = {200, 201}
    else:
        response = client.post(page_path, page_data)
        ok = {302}
    if who in allowed:
        assert response.status_code in ok, response.content[:500]
    else:
        expected = 403 if who in CB_ROLES else 404
        assert response.status_code == expected, response.content[:500]
    assert written() == (who in allowed)
