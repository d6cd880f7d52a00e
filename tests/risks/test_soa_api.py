"""The SoA API: SoAs, lines (nested and flat), completeness, approval and versions, with the
permission matrix and constant query counts."""

from __future__ import annotations

import pytest

from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ApiBundle, count_queries
from pdca.core.testing.api_bundle import login
from pdca.risks.models import ControlApplicability, SoaVersion, StatementOfApplicability
from pdca.risks.soa import services
from pdca.system.permissions import IMPLEMENTERS
from tests.risks.test_soa_services import (
    AIMS,
    decide_all,
    make_line,
    make_risk,
    make_soa,
    make_version,
    standard,
)

pytestmark = pytest.mark.usefixtures("catalog")

API = "/api/v1"


def body(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


class TestSoaApi(ApiBundle):
    model = StatementOfApplicability
    url = f"{API}/soa/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"title": "ISMS Statement of Applicability"}
    # One SoA per organization and standard: seven standards make at most seven rows.
    query_rows = (2, 7)
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "standard": "iso9001-2015"}, "standard"),
        (lambda org: {"organization": org.slug, "standard": "iso1-1"}, "standard"),
        (lambda org: {"organization": org.slug, "standard": "iso27001-2022"}, "standard"),
        (lambda org: {"organization": org.slug, "standard": AIMS, "system": 999_999}, "system"),
        (lambda org: {"organization": org.slug, "standard": AIMS, "title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"system": 999_999}, "system"),
        ({"standard": AIMS}, "standard"),
    ]

    def make(self, org, index=0):
        return make_soa(org, index)

    def create_payload(self, org):
        return {"organization": org.slug, "standard": AIMS, "title": "AI SoA"}


class TestControlApplicabilityApi(ApiBundle):
    model = ControlApplicability
    url = f"{API}/soa-lines/"
    view_roles = ORGANIZATION_ROLES
    change_roles = IMPLEMENTERS
    creates = deletes = False
    update_payload = {"applicable": True, "justification": "Needed for the plant's perimeter."}
    invalid_payloads = [
        ({"applicable": True}, "justification"),
        ({"applicable": False, "justification": ""}, "justification"),
        (
            {"applicable": False, "justification": "No dev.", "implementation": "implemented"},
            "implementation",
        ),
        ({"implementation": "done"}, "implementation"),
        ({"implementation": None}, "implementation"),
        ({"owner": "nobody@nowhere.example"}, "owner"),
        ({"owner": "manager@b.example"}, "owner"),
        ({"risks": [999_999]}, "risks"),
        ({"justification": "bad\x00"}, "justification"),
        ({"control": "A.5.2"}, "control"),
    ]

    def make(self, org, index=0):
        return make_line(org, index)


class TestSoaVersionApi(ApiBundle):
    model = SoaVersion
    url = f"{API}/soa-versions/"
    view_roles = ORGANIZATION_ROLES
    creates = updates = deletes = False

    def make(self, org, index=0):
        return make_version(org, index)


# --- the SoA's own endpoints ---------------------------------------------------------------


@pytest.fixture
def soa(personas):
    return services.create_soa(personas.org, standard(), actor=personas.manager)


def test_create_answers_with_completeness(client, personas):
    login(client, personas.manager)
    data = body(
        client.post(
            f"{API}/soa/",
            {"organization": "org-a", "standard": "iso27001-2022"},
            content_type="application/json",
        ),
        201,
    )
    assert (data["standard"], data["lines"], data["decided"], data["latest_version"]) == (
        "iso27001-2022",
        93,
        0,
        None,
    )
    assert data["completeness"]["undecided"] == 93
    assert data["completeness"]["complete"] is False


def test_lines_are_listed_in_catalog_order_with_filters(client, personas, soa):
    decide_all(soa)
    soa.lines.filter(control__number="A.8.25").update(applicable=False, notes="CNC programs")
    login(client, personas.employee)
    data = body(client.get(f"{API}/soa/{soa.pk}/lines/?limit=3"))
    assert data["count"] == 93
    assert [row["control"] for row in data["items"]] == ["A.5.1", "A.5.2", "A.5.3"]
    assert data["items"][0]["group"] == "A.5"
    data = body(client.get(f"{API}/soa/{soa.pk}/lines/?applicable=no"))
    assert [row["control"] for row in data["items"]] == ["A.8.25"]
    data = body(client.get(f"{API}/soa/{soa.pk}/lines/?q=cnc&group=A.8"))
    assert [row["control"] for row in data["items"]] == ["A.8.25"]
    response = client.get(f"{API}/soa/{soa.pk}/lines/?applicable=maybe")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"applicable"}


def test_nested_line_patch_sets_owner_and_risks(client, personas, soa):
    line = soa.lines.get(control__number="A.5.7")
    risk = make_risk(personas.org, "R-004")
    login(client, personas.manager)
    data = body(
        client.patch(
            f"{API}/soa/{soa.pk}/lines/{line.pk}/",
            {
                "applicable": True,
                "justification": "Threat feeds help the IT provider.",
                "owner": "process_owner@a.example",
                "risks": [risk.pk],
            },
            content_type="application/json",
        )
    )
    assert (data["applicable"], data["owner"], data["risks"]) == (
        True,
        "process_owner@a.example",
        [{"id": risk.pk, "code": "R-004", "title": "Risk R-004"}],
    )
    history = body(client.get(f"{API}/soa/{soa.pk}/lines/{line.pk}/history/"))
    assert history["items"][0]["changes"]["risks"] == [[], ["R-004"]]
    # A line of another SoA is not found under this one.
    other = services.create_soa(personas.org, standard(AIMS), actor=personas.manager)
    stray = other.lines.first()
    assert client.get(f"{API}/soa/{soa.pk}/lines/{stray.pk}/").status_code == 404


def test_a_process_owner_patches_own_line_only(client, personas, soa):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = soa.lines.get(control__number="A.7.1")
    ControlApplicability.objects.filter(pk=mine.pk).update(owner=owner)
    theirs = soa.lines.get(control__number="A.7.2")
    login(client, owner)
    payload = {"implementation": "planned"}
    body(client.patch(f"{API}/soa-lines/{mine.pk}/", payload, content_type="application/json"))
    response = client.patch(
        f"{API}/soa-lines/{theirs.pk}/", payload, content_type="application/json"
    )
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.implementation == "not_started"


def test_approve_is_refused_while_incomplete_then_freezes_a_version(client, personas, soa):
    ceo = personas.users[Role.TOP_MANAGEMENT]
    login(client, ceo)
    response = client.post(f"{API}/soa/{soa.pk}/approve/", {}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "incomplete"
    assert "93 control(s) not yet decided" in response.json()["detail"]
    assert not SoaVersion.objects.exists()

    decide_all(soa)
    data = body(
        client.post(
            f"{API}/soa/{soa.pk}/approve/", {"note": "Board 12"}, content_type="application/json"
        ),
        201,
    )
    version = SoaVersion.objects.get()
    assert (data["number"], data["approved_by"], data["note"], data["sha256"]) == (
        1,
        ceo.email,
        "Board 12",
        version.sha256,
    )
    assert data["intact"] is True
    assert len(data["lines"]) == 93

    listed = body(client.get(f"{API}/soa/{soa.pk}/versions/"))
    assert [v["number"] for v in listed["items"]] == [1]
    assert "lines" not in listed["items"][0]
    one = body(client.get(f"{API}/soa/{soa.pk}/versions/1/"))
    assert one["lines"][0]["control"] == "A.5.1"
    assert client.get(f"{API}/soa/{soa.pk}/versions/2/").status_code == 404
    assert body(client.get(f"{API}/soa/{soa.pk}/"))["latest_version"] == 1

    # Approved: no longer deleted.
    login(client, personas.manager)
    response = client.delete(f"{API}/soa/{soa.pk}/")
    assert response.status_code == 409
    assert StatementOfApplicability.objects.filter(pk=soa.pk).exists()


def test_an_employee_may_not_approve(client, personas, soa):
    decide_all(soa)
    login(client, personas.employee)
    response = client.post(f"{API}/soa/{soa.pk}/approve/", {}, content_type="application/json")
    assert response.status_code == 403
    assert not SoaVersion.objects.exists()


def test_completeness_and_sync(client, personas, soa):
    soa.lines.filter(control__number="A.8.34").delete()
    login(client, personas.manager)
    data = body(client.get(f"{API}/soa/{soa.pk}/completeness/"))
    assert (data["total"], data["missing"], data["complete"]) == (92, ["A.8.34"], False)
    data = body(client.post(f"{API}/soa/{soa.pk}/sync/"))
    assert (data["lines"], data["completeness"]["missing"]) == (93, [])


def test_the_outsider_reaches_nothing(client, personas, soa):
    decide_all(soa)
    services.approve_soa(soa, actor=personas.manager)
    line = soa.lines.first()
    login(client, personas.outsider)
    for url in (
        f"{API}/soa/{soa.pk}/",
        f"{API}/soa/{soa.pk}/completeness/",
        f"{API}/soa/{soa.pk}/lines/",
        f"{API}/soa/{soa.pk}/lines/{line.pk}/",
        f"{API}/soa/{soa.pk}/versions/",
        f"{API}/soa/{soa.pk}/versions/1/",
        f"{API}/soa/{soa.pk}/history/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"{API}/soa/{soa.pk}/approve/", f"{API}/soa/{soa.pk}/sync/"):
        assert client.post(url, {}, content_type="application/json").status_code == 404, url
    assert SoaVersion.objects.count() == 1


def test_nested_lines_query_count_does_not_grow(client, personas, soa):
    login(client, personas.manager)
    for line in soa.lines.all()[:2]:
        line.risks.add(make_risk(personas.org, f"R-{line.pk}"))
    small, _ = count_queries(lambda: client.get(f"{API}/soa/{soa.pk}/lines/?limit=5"))
    for line in soa.lines.all()[2:40]:
        line.risks.add(make_risk(personas.org, f"R-{line.pk}"))
    large, response = count_queries(lambda: client.get(f"{API}/soa/{soa.pk}/lines/?limit=90"))
    assert len(response.json()["items"]) == 90
    assert large == small


def test_patch_records_the_api_channel(client, personas, soa):
    line = soa.lines.first()
    login(client, personas.manager)
    client.patch(f"{API}/soa-lines/{line.pk}/", {"notes": "n"}, content_type="application/json")
    assert ActivityEntry.objects.get(action="update", object_id=str(line.pk)).via == "api"
