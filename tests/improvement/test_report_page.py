"""The report page: any member reports a nonconformity in a few words and lands on its page;
files are kept in the evidence store by those who may add to it; bad input shows the field's
error and writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.documents.models import EvidenceFile
from pdca.improvement.models import Nonconformity
from tests.improvement.test_workflow_pages import process_of, upload

pytestmark = pytest.mark.django_db
URL = "/nonconformities/report/"


def test_the_url_is_named_report():
    assert reverse("improvement:report") == URL


def data(**overrides):
    return {
        "title": "Forklift near miss",
        "description": "Pallets on the pedestrian walkway in bay 3.",
        "source": "incident",
        **overrides,
    }


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_every_member_reports_and_lands_on_the_new_page(client, personas, role):
    login(client, personas.users[role])
    assert client.get(URL).status_code == 200
    response = client.post(URL, data())
    nc = Nonconformity.objects.get(organization=personas.org)
    assert response.status_code == 302
    assert response["Location"] == reverse("improvement:nonconformities-detail", args=[nc.pk])
    assert (nc.title, nc.source, nc.status, nc.reported_by) == (
        "Forklift near miss",
        "incident",
        "reported",
        personas.users[role],
    )
    # The reporter sees it, an employee included.
    assert client.get(response["Location"]).status_code == 200


def test_the_report_names_a_process_and_keeps_the_files(client, personas):
    process = process_of(personas.org)
    login(client, personas.users[Role.PROCESS_OWNER])
    response = client.post(
        URL, data(process=process.pk, evidence=[upload("a.txt", b"a"), upload("b.txt", b"b")])
    )
    assert response.status_code == 302
    nc = Nonconformity.objects.get(organization=personas.org)
    assert nc.process == process
    assert sorted(f.original_name for f in nc.attachments.all()) == ["a.txt", "b.txt"]


def test_an_employee_may_attach_files_to_a_report(client, personas):
    login(client, personas.employee)
    page = client.get(URL).content.decode()
    assert 'name="evidence"' in page
    assert "mention them in the description" not in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"description": ""}, "description", "This field is required."),
        ({"source": "internal_audit"}, "source", "Select a valid choice."),
        ({"title": "x" * 201}, "title", "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_input_shows_the_fields_error_and_writes_nothing(
    client, personas, overrides, field, message
):
    login(client, personas.manager)
    response = client.post(URL, data(**overrides))
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert Nonconformity.objects.count() == 0


def test_a_refused_file_writes_neither_the_report_nor_the_file(client, personas):
    login(client, personas.manager)
    response = client.post(URL, data(evidence=[upload("run.exe", b"MZ\x90\x00binary")]))
    assert response.status_code == 422
    assert response.context["form"].errors["evidence"]
    assert Nonconformity.objects.count() == 0
    assert EvidenceFile.objects.count() == 0


def test_another_organizations_process_is_not_a_choice(client, personas):
    theirs = process_of(personas.other)
    login(client, personas.manager)
    response = client.post(URL, data(process=theirs.pk))
    assert response.status_code == 422
    assert response.context["form"].errors["process"]
    assert Nonconformity.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client, personas):
    response = client.post(URL, data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Nonconformity.objects.count() == 0


def test_a_certification_body_role_may_not_report_here(client, personas):
    login(client, personas.users[Role.LEAD_AUDITOR])
    assert client.post(URL, data()).status_code == 403
    assert Nonconformity.objects.count() == 0


def test_the_reporters_page_does_not_link_to_the_register_they_may_not_list(client, personas):
    login(client, personas.employee)
    response = client.post(URL, data())
    page = client.get(response["Location"]).content.decode()
    assert client.get(response["Location"]).status_code == 200
    assert 'href="/nonconformities/"' not in page
    assert client.get("/nonconformities/").status_code == 403
