"""No input makes a server error: malformed requests, unknown URLs, null text, over-long text,
long file names and a delete racing its parent's delete all get a problem document."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pdca.core.testing.api_bundle import login
from pdca.core.validation import TEXT_MAX_LENGTH
from tests.tenancy.factories import make_site

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def api(client, personas):
    login(client, personas.manager)
    return client


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/risks/abc/",
        "/api/v1/risks/null,null/",
        "/api/v1/risks/1/history/x/",
        "/api/v1/no-such-endpoint/",
        "/api/v1/",
    ],
)
def test_unknown_urls_are_404_problems(api, url):
    assert _problem(api.get(url), 404)["code"] == "not_found"


def test_a_method_the_endpoint_does_not_take_is_a_405_problem(api):
    response = api.put("/api/v1/sites/")
    body = _problem(response, 405)
    assert body["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_bad_json_is_a_400_problem(api):
    response = api.post("/api/v1/sites/", data=b"{not json", content_type="application/json")
    _problem(response, 400)


def test_multipart_without_boundary_is_a_400_problem(api):
    response = api.post("/api/v1/evidence/", data=b"--x", content_type="multipart/form-data")
    assert _problem(response, 400)["code"] == "malformed_request"


def test_a_body_over_the_limit_is_a_413_problem(api, personas, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    payload = {"organization": personas.org.slug, "name": "x" * 2000}
    response = api.post("/api/v1/sites/", data=payload, content_type="application/json")
    assert _problem(response, 413)["code"] == "request_too_large"


def test_null_for_an_optional_text_means_empty_text(api, personas):
    site = make_site(personas.org, notes="Gate 2", address="1 Road")
    response = api.patch(
        f"/api/v1/sites/{site.pk}/",
        data={"notes": None, "address": None},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    site.refresh_from_db()
    assert (site.notes, site.address) == ("", "")


def test_null_for_a_register_text_means_empty_text(api, personas):
    from pdca.system.models import Process

    process = Process.objects.create(
        organization=personas.org, name="Machining", code="P1", purpose="Cut"
    )
    response = api.patch(
        f"/api/v1/processes/{process.pk}/", data={"purpose": None}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    process.refresh_from_db()
    assert process.purpose == ""


def test_null_for_a_required_text_names_the_field(api, personas):
    from pdca.system.models import Process

    process = Process.objects.create(organization=personas.org, name="Machining", code="P1")
    response = api.patch(
        f"/api/v1/processes/{process.pk}/", data={"name": None}, content_type="application/json"
    )
    body = _problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["name"]


def test_over_long_text_is_refused_naming_the_field(api, personas):
    from pdca.system.models import Process

    process = Process.objects.create(organization=personas.org, name="Machining", code="P1")
    too_long = "x" * (TEXT_MAX_LENGTH + 1)
    response = api.patch(
        f"/api/v1/processes/{process.pk}/",
        data=json.dumps({"purpose": too_long}),
        content_type="application/json",
    )
    body = _problem(response, 422)
    assert [e["field"] for e in body["errors"]] == ["purpose"]


def test_services_enforce_the_text_limit_too(personas):
    """Pages and imports reach the same rule through the services."""
    from pdca.core.exceptions import ValidationFailed
    from pdca.core.registers import services
    from pdca.core.registers.spec import spec_for

    with pytest.raises(ValidationFailed) as caught:
        services.create_entry(
            spec_for("processes"),
            personas.org,
            actor=personas.manager,
            name="Assembly",
            code="P9",
            purpose="x" * (TEXT_MAX_LENGTH + 1),
        )
    assert [e.field for e in caught.value.errors] == ["purpose"]


def test_a_long_file_name_is_shortened_not_an_error(api, personas):
    upload = SimpleUploadedFile("a" * 1000 + ".txt", b"Calibration record\n", "text/plain")
    response = api.post(
        "/api/v1/evidence/", data={"organization": personas.org.slug, "file": upload}
    )
    assert response.status_code == 201, response.content[:500]
    assert len(response.json()["name"]) <= 255


def test_a_long_file_extension_is_not_an_error(api, personas):
    upload = SimpleUploadedFile("a." + "t" * 1000, b"Calibration record\n", "text/plain")
    response = api.post(
        "/api/v1/evidence/", data={"organization": personas.org.slug, "file": upload}
    )
    assert response.status_code in {201, 422}, response.content[:500]


def test_deleting_a_child_whose_audit_was_just_deleted_is_a_404(api, personas):
    """The effect of a delete racing its parent's: the child vanished with the audit between
    the request's read and its write."""
    from pdca.audits import services
    from pdca.core.exceptions import NotFound
    from tests.audits.test_meetings import make_meeting

    meeting = make_meeting(personas.org)
    stale = type(meeting).objects.get(pk=meeting.pk)
    meeting.audit.delete()
    with pytest.raises(NotFound):
        services.delete_meeting(stale, actor=personas.manager)


def test_an_object_that_vanished_mid_request_is_a_404_problem(api, personas, monkeypatch):
    """The API's last line of defence for a row deleted under a request."""
    from pdca.tenancy.models import Site

    site = make_site(personas.org)

    def vanish(*args, **kwargs):
        raise Site.DoesNotExist("gone")

    monkeypatch.setattr("pdca.tenancy.services.update_site", vanish)
    response = api.patch(
        f"/api/v1/sites/{site.pk}/", data={"city": "Leeds"}, content_type="application/json"
    )
    _problem(response, 404)


def test_register_pages_say_and_enforce_the_text_limit(personas):
    from pdca.core.registers.forms import form_class
    from pdca.core.registers.spec import spec_for

    form = form_class(spec_for("processes"))(
        organization=personas.org,
        data={"name": "Assembly", "code": "P9", "purpose": "x" * (TEXT_MAX_LENGTH + 1)},
    )
    assert form.fields["purpose"].widget.attrs["maxlength"] == str(TEXT_MAX_LENGTH)
    assert not form.is_valid()
    assert "purpose" in form.errors
