"""The OSCAL API: who may export what (each role, own organization and another: 404,
anonymous: 401), the import for platform administrators only (403 otherwise), its refusals
(4xx, nothing written), and query counts that do not grow with the rows."""

from __future__ import annotations

import json

import pytest

from pdca.accounts.models import User
from pdca.audits.permissions import INSIDERS
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.improvement.permissions import READERS
from pdca.interop.oscal.catalog import catalog_document
from pdca.standards.models import Requirement, RequirementGroup, Standard
from tests.interop.oscal_data import (
    ISMS,
    QMS,
    make_assessment,
    make_audit,
    make_nonconformity,
    validate,
)

pytestmark = pytest.mark.usefixtures("catalog")

API = "/api/v1/oscal"
PERSONAS = [*sorted(ALL_ROLES), "outsider"]


def _user(personas, who: str):
    return personas.outsider if who == "outsider" else personas.users[who]


def _client(client, personas, who):
    login(client, _user(personas, who))
    return client


def _in_org(who: str) -> bool:
    return who != "outsider" and who in ORGANIZATION_ROLES


@pytest.mark.parametrize("who", PERSONAS)
def test_every_signed_in_person_reads_a_catalog(client, personas, who):
    response = _client(client, personas, who).get(f"{API}/catalogs/{ISMS}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    validate(response.json())


def test_an_unknown_catalog_is_404_and_anonymous_is_401(client, personas):
    assert client.get(f"{API}/catalogs/{ISMS}/").status_code == 401
    login(client, personas.manager)
    assert client.get(f"{API}/catalogs/no-such-standard/").status_code == 404


@pytest.mark.parametrize("who", PERSONAS)
def test_assessment_results_of_an_assessment_for_whoever_reads_it(client, personas, who):
    assessment = make_assessment(personas, codes=(QMS,))
    response = _client(client, personas, who).get(
        f"{API}/assessments/{assessment.pk}/assessment-results/"
    )
    if _in_org(who):
        assert response.status_code == 200
        validate(response.json())
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("who", PERSONAS)
def test_assessment_results_of_an_audit_hold_findings_for_insiders_only(client, personas, who):
    audit = make_audit(personas.org)
    response = _client(client, personas, who).get(f"{API}/audits/{audit.pk}/assessment-results/")
    if not _in_org(who):
        assert response.status_code == 404
        return
    assert response.status_code == 200
    result = validate(response.json()).results[0]
    assert len(result.findings or []) == (5 if who in INSIDERS else 0)


@pytest.mark.parametrize("who", PERSONAS)
def test_the_poam_is_for_readers_of_nonconformities(client, personas, who):
    make_nonconformity(personas.org, personas.users["process_owner"], 1)
    response = _client(client, personas, who).get(f"{API}/poam/", {"organization": "org-a"})
    if _in_org(who) and who in READERS:
        assert response.status_code == 200
        items = validate(response.json()).poam_items
        assert len(items) == 1
    else:
        # An employee reads only what they reported or own: the organization's plan is not theirs.
        assert response.status_code == 404


def test_the_poam_filters_by_system_and_404s_another_organizations_system(client, personas):
    from tests.interop.oscal_data import make_system

    make_nonconformity(personas.org, personas.users["process_owner"], 1)
    ims = make_system(personas.org, codes=(QMS,), name="QMS")
    isms = make_system(personas.org, codes=(ISMS,), name="ISMS")
    theirs = make_system(personas.other, codes=(QMS,), name="Theirs")
    login(client, personas.manager)
    count = {}
    for system in (ims, isms):
        response = client.get(f"{API}/poam/", {"organization": "org-a", "system": system.pk})
        count[system.name] = len(response.json()["plan-of-action-and-milestones"]["poam-items"])
    assert count == {"QMS": 1, "ISMS": 0}
    response = client.get(f"{API}/poam/", {"organization": "org-a", "system": theirs.pk})
    assert response.status_code == 404


def test_exports_make_as_many_queries_for_many_rows_as_for_few(client, personas):
    login(client, personas.manager)
    owner = personas.users["process_owner"]
    audits = [make_audit(personas.org, f"IA-{n}", findings=False) for n in (1, 2)]
    from tests.interop.oscal_data import make_finding

    make_finding(audits[0], 1, "minor")
    for number, grade in enumerate(["major", "minor", "observation", "ofi", "strength"] * 3, 1):
        make_finding(audits[1], number, grade)
    make_nonconformity(personas.org, owner, 1)
    few, _ = count_queries(lambda: client.get(f"{API}/poam/", {"organization": "org-a"}))
    for n in range(2, 12):
        make_nonconformity(personas.org, owner, n)
    many, _ = count_queries(lambda: client.get(f"{API}/poam/", {"organization": "org-a"}))
    assert few == many
    counts = [
        count_queries(lambda a=a: client.get(f"{API}/audits/{a.pk}/assessment-results/"))[0]
        for a in audits
    ]
    assert counts[0] == counts[1]
    small = make_assessment(personas, codes=(QMS,), name="Small")
    large = make_assessment(personas, codes=(QMS, ISMS), name="Large")
    counts = [
        count_queries(lambda a=a: client.get(f"{API}/assessments/{a.pk}/assessment-results/"))[0]
        for a in (small, large)
    ]
    assert counts[0] == counts[1]


# --- import ---------------------------------------------------------------------------


@pytest.fixture
def root(db):
    return User.objects.create_superuser("root@example.com", "a-long-pass-phrase", full_name="Root")


def _counts():
    return Standard.objects.count(), Requirement.objects.count(), RequirementGroup.objects.count()


def _upload(name: str, doc: dict | bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_a_platform_administrator_imports_a_catalog_file(client, root):
    login(client, root)
    doc = catalog_document(Standard.objects.get(code=QMS))
    response = client.post(f"{API}/import/", {"file": _upload("qms.json", doc), "code": "qms-copy"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["standard"] == "qms-copy"
    assert body["kind"] == "catalog"
    assert (
        body["requirements"]
        == Standard.objects.get(code=QMS).requirements.filter(retired=False).count()
    )


def test_a_platform_administrator_imports_a_profile_with_its_catalog_in_json(client, root):
    login(client, root)
    catalog = catalog_document(Standard.objects.get(code=ISMS))
    profile = {
        "profile": {
            "uuid": "a1f0d5c4-3f57-4a0e-8e5f-7a0c6d6f0b21",
            "metadata": {
                "title": "Two controls",
                "last-modified": "2026-01-01T00:00:00+00:00",
                "version": "1",
                "oscal-version": "1.1.2",
            },
            "imports": [{"href": "x.json", "include-controls": [{"with-ids": ["a.5.1", "a.5.2"]}]}],
        }
    }
    response = client.post(
        f"{API}/import/json/",
        {"document": profile, "catalog": catalog},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["standard"] == "oscal-two-controls"
    assert response.json()["requirements"] == 2


@pytest.mark.parametrize("who", PERSONAS)
def test_no_one_else_imports(client, personas, who):
    doc = catalog_document(Standard.objects.get(code=QMS))
    before = _counts()
    response = _client(client, personas, who).post(
        f"{API}/import/", {"file": _upload("qms.json", doc), "code": "qms-copy"}
    )
    assert response.status_code == 403
    assert _counts() == before


def test_anonymous_import_is_401(client):
    response = client.post(f"{API}/import/", {"file": _upload("x.json", b"{}")})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("content", "code", "status"),
    [
        (b"{oops", None, 422),
        (b'{"catalog": {"uuid": "x"}}', None, 422),
        (None, ISMS, 422),
        (None, "x" * 61, 422),
    ],
    ids=["invalid-json", "not-oscal", "code-in-use", "code-too-long"],
)
def test_bad_imports_are_4xx_and_write_nothing(client, root, content, code, status):
    login(client, root)
    if content is None:
        content = json.dumps(catalog_document(Standard.objects.get(code=QMS))).encode()
    before = _counts()
    data = {"file": _upload("bad.json", content)}
    if code:
        data["code"] = code
    response = client.post(f"{API}/import/", data)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert _counts() == before
