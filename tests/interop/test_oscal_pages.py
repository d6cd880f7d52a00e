"""The OSCAL page: what each person may download, the downloads themselves (JSON with a file
name), the import form and its result page for administrators only, and query counts."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pdca.accounts.models import User
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.interop.oscal.catalog import catalog_document
from pdca.standards.models import Standard
from tests.interop.oscal_data import ISMS, QMS, make_assessment, make_audit, make_nonconformity

pytestmark = pytest.mark.usefixtures("catalog")


def test_the_page_lists_catalogs_assessments_audits_and_the_plan(client, personas):
    assessment = make_assessment(personas, codes=(QMS,))
    audit = make_audit(personas.org)
    make_nonconformity(personas.org, personas.users["process_owner"], 1)
    make_audit(personas.other, "THEIRS")
    login(client, personas.manager)
    response = client.get("/oscal/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f"/oscal/catalogs/{ISMS}.json" in page
    assert f"/oscal/assessments/{assessment.pk}/assessment-results.json" in page
    assert f"/oscal/audits/{audit.pk}/assessment-results.json" in page
    assert "THEIRS" not in page
    assert "/oscal/poam.json" in page
    assert "1 open nonconformity" in page
    assert "Import a catalog" not in page
    assert 'href="/oscal/"' in page  # the menu links here


def test_the_downloads_are_json_files_with_a_name(client, personas):
    assessment = make_assessment(personas, codes=(QMS,))
    audit = make_audit(personas.org)
    login(client, personas.manager)
    for url, name in [
        (f"/oscal/catalogs/{ISMS}.json", f"catalog-{ISMS}.json"),
        (
            f"/oscal/assessments/{assessment.pk}/assessment-results.json",
            f"assessment-results-assessment-{assessment.pk}.json",
        ),
        (
            f"/oscal/audits/{audit.pk}/assessment-results.json",
            "assessment-results-audit-IA-2026-01.json",
        ),
        ("/oscal/poam.json", "poam-org-a.json"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/json"
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        json.loads(response.content)


def test_another_organizations_records_are_404(client, personas):
    assessment = make_assessment(personas, codes=(QMS,))
    audit = make_audit(personas.org)
    login(client, personas.outsider)
    assert (
        client.get(f"/oscal/assessments/{assessment.pk}/assessment-results.json").status_code == 404
    )
    assert client.get(f"/oscal/audits/{audit.pk}/assessment-results.json").status_code == 404
    assert client.get(f"/oscal/catalogs/{ISMS}.json").status_code == 200


def test_an_employee_gets_no_plan(client, personas):
    login(client, personas.employee)
    assert "/oscal/poam.json" not in client.get("/oscal/").content.decode()
    assert client.get("/oscal/poam.json").status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/oscal/")
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_the_page_makes_as_many_queries_for_many_records_as_for_few(client, personas):
    login(client, personas.manager)
    make_assessment(personas, codes=(QMS,), name="A1")
    make_audit(personas.org, "IA-1")
    make_nonconformity(personas.org, personas.users["process_owner"], 1)
    few, _ = count_queries(lambda: client.get("/oscal/"))
    make_assessment(personas, codes=(QMS,), name="A2")
    make_assessment(personas, codes=(QMS,), name="A3")
    for n in range(2, 6):
        make_audit(personas.org, f"IA-{n}", findings=False)
        make_nonconformity(personas.org, personas.users["process_owner"], n)
    many, _ = count_queries(lambda: client.get("/oscal/"))
    assert few == many


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@example.com", "a-long-pass-phrase", full_name="Root")


def _file(name, content: bytes):
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_an_administrator_imports_and_sees_what_was_created(client, root):
    login(client, root)
    assert "Import a catalog" in client.get("/oscal/").content.decode()
    doc = json.dumps(catalog_document(Standard.objects.get(code=ISMS))).encode()
    response = client.post("/oscal/import/", {"file": _file("isms.json", doc), "code": "isms-copy"})
    assert response.status_code == 201
    page = response.content.decode()
    assert "isms-copy" in page
    assert "A.5.1" in page and "Policies for information security" in page
    assert 'href="/standards/isms-copy/"' in page


def test_a_refused_import_names_the_problem_and_writes_nothing(client, root):
    login(client, root)
    before = Standard.objects.count()
    response = client.post("/oscal/import/", {"file": _file("bad.json", b"{oops")})
    assert response.status_code == 422
    assert "Not valid JSON" in response.content.decode()
    assert "Nothing was imported" in response.content.decode()
    assert Standard.objects.count() == before


def test_members_may_not_import(client, personas):
    login(client, personas.manager)
    doc = json.dumps(catalog_document(Standard.objects.get(code=QMS))).encode()
    before = Standard.objects.count()
    response = client.post("/oscal/import/", {"file": _file("q.json", doc)})
    assert response.status_code == 403
    assert Standard.objects.count() == before
