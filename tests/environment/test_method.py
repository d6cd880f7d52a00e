"""The significance method: defaults, validation, saving, its pages and API with the
permission matrix over every role.

SignificanceMethod is one per organization (no list, no create or delete), so its role matrix
is written out here instead of in the generic bundles."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing.api_bundle import login
from pdca.environment import method as method_services
from pdca.environment.models import SignificanceMethod
from pdca.environment.models.method import default_criteria
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db

ROLES = sorted(ALL_ROLES)
API = "/api/v1/significance-method/"


def body(**overrides) -> dict:
    return {
        "name": "Our method",
        "criteria": [
            {"label": "Severity", "min": 1, "max": 5},
            {"label": "Frequency", "min": 1, "max": 5},
            {"label": "Legal concern", "min": 1, "max": 5, "legal": True},
        ],
        "rule": "sum",
        "threshold": 10,
        "legal_max_significant": True,
        **overrides,
    }


def test_method_for_gives_an_unsaved_default_without_writing(personas):
    method = method_services.method_for(personas.org)
    assert method.pk is None
    assert method.criteria == default_criteria()
    assert not SignificanceMethod.objects.exists()


def test_the_default_method_is_valid(personas):
    method_services.validate_method(SignificanceMethod(organization=personas.org))


BAD = [
    ({"name": " "}, "name"),
    ({"criteria": []}, "criteria"),
    ({"criteria": [{"label": "A", "min": 1, "max": 5}] * 11}, "criteria"),
    ({"criteria": [{"label": "", "min": 1, "max": 5}]}, "criteria.0.label"),
    ({"criteria": [{"label": "A", "min": 3, "max": 2}]}, "criteria.0.max"),
    ({"criteria": [{"label": "A", "min": -1, "max": 2}]}, "criteria.0.min"),
    ({"criteria": [{"label": "A", "min": 1, "max": 101}]}, "criteria.0.max"),
    (
        {
            "criteria": [
                {"label": "Scale", "min": 1, "max": 5},
                {"label": "scale", "min": 1, "max": 5},
            ]
        },
        "criteria.1.label",
    ),
    ({"criteria": [{"label": "A", "min": 1}]}, "criteria.0.max"),
    ({"rule": "average"}, "rule"),
    ({"threshold": 0}, "threshold"),
    ({"threshold": 16}, "threshold"),
    ({"threshold": 3}, "threshold"),
    (
        {
            "rule": "product",
            "criteria": [{"label": f"C{i}", "min": 1, "max": 100} for i in range(4)],
        },
        "criteria",
    ),
]


@pytest.mark.parametrize(("overrides", "field"), BAD)
def test_a_bad_method_names_the_field_and_writes_nothing(personas, overrides, field):
    with pytest.raises(ValidationFailed) as caught:
        method_services.update_method(personas.org, actor=personas.manager, **body(**overrides))
    assert field in [e.field for e in caught.value.errors]
    assert not SignificanceMethod.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="environment.significancemethod").exists()


def test_saving_creates_then_changes_the_method_and_logs_each(personas):
    org, manager = personas.org, personas.manager
    method = method_services.update_method(org, actor=manager, **body())
    assert [c["key"] for c in method.criteria] == ["severity", "frequency", "legal_concern"]
    method_services.update_method(org, actor=manager, **body(threshold=12))
    method.refresh_from_db()
    assert method.threshold == 12
    actions = list(
        ActivityEntry.objects.filter(object_type="environment.significancemethod")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]
    assert SignificanceMethod.objects.count() == 1


@pytest.mark.parametrize("role", ROLES)
def test_api_get_by_role(client, personas, role):
    login(client, personas.users[role])
    response = client.get(f"{API}?organization={personas.org.slug}")
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200, response.content
        data = response.json()
        assert (data["saved"], data["threshold"], data["highest_score"]) == (False, 15, 25)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_api_put_by_role(client, personas, role):
    login(client, personas.users[role])
    response = client.put(
        f"{API}?organization={personas.org.slug}", body(), content_type="application/json"
    )
    if role in IMPLEMENTERS:
        assert response.status_code == 200, response.content
        assert response.json()["saved"] is True
        assert response.has_header("ETag")
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert not SignificanceMethod.objects.exists()


def test_api_put_names_the_bad_field(client, personas):
    login(client, personas.manager)
    bad = body(criteria=[{"label": "Severity", "min": 4, "max": 2}])
    response = client.put(API, bad, content_type="application/json")
    assert response.status_code == 422
    assert "criteria.0.max" in {e["field"] for e in response.json()["errors"]}
    assert not SignificanceMethod.objects.exists()


def test_api_put_on_a_stale_version_is_refused(client, personas):
    login(client, personas.manager)
    client.put(API, body(), content_type="application/json")
    etag = client.get(API)["ETag"]
    assert client.put(API, body(threshold=11), content_type="application/json").status_code == 200
    stale = client.put(API, body(threshold=12), content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert SignificanceMethod.objects.get().threshold == 11


def test_outsider_gets_404(client, personas):
    login(client, personas.outsider)
    assert client.get(f"{API}?organization={personas.org.slug}").status_code == 404
    response = client.put(
        f"{API}?organization={personas.org.slug}", body(), content_type="application/json"
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(client, personas, role):
    login(client, personas.users[role])
    view = client.get("/aspects/method/")
    edit = client.get("/aspects/method/edit/")
    if role not in ORGANIZATION_ROLES:
        # A certification body's people work in the body, where the method is not theirs.
        assert (view.status_code, edit.status_code) == (403, 403)
        return
    assert view.status_code == 200
    assert "Severity of the impact" in view.content.decode()
    assert edit.status_code == (200 if role in IMPLEMENTERS else 403)


def test_the_edit_page_saves_the_method(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/aspects/method/edit/",
        {
            "name": "Plant method",
            "criteria": "Severity; 1; 4\nLegal concern; 1; 4; legal",
            "rule": "product",
            "threshold": "8",
            "legal_max_significant": "on",
        },
    )
    assert response.status_code == 302
    method = SignificanceMethod.objects.get(organization=personas.org)
    assert method.criteria[1] == {
        "key": "legal_concern",
        "label": "Legal concern",
        "min": 1,
        "max": 4,
        "legal": True,
    }
    assert (method.rule, method.threshold) == ("product", 8)


def test_the_edit_page_shows_the_service_error_on_its_field(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/aspects/method/edit/",
        {"name": "M", "criteria": "Severity; 1; 4", "rule": "sum", "threshold": "9"},
    )
    assert response.status_code == 200
    assert "The threshold must be above the lowest score" in response.content.decode()
    assert not SignificanceMethod.objects.exists()
