"""Starter templates: the catalogue, filling with the organization's data (safely), making a
document from one, and the pages and API for every role and the other organization."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from docx import Document as Docx

from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.documents.models import Document, DocumentVersion
from pdca.documents.starter import PLACEHOLDERS, STARTERS
from pdca.documents.starters import services as starters
from pdca.standards.models import Requirement
from pdca.system.permissions import IMPLEMENTERS
from pdca.tenancy.models import Site
from tests.documents.test_coverage import ISMS, QMS, make_doc, make_system

pytestmark = pytest.mark.usefixtures("catalog")

ROLES = sorted(ALL_ROLES)
TODAY = dt.date(2026, 3, 2)


def versions_ready() -> bool:
    try:
        from pdca.documents.versions.services import create_version  # noqa: F401
    except ImportError:
        return False
    return True


needs_versions = pytest.mark.skipif(
    not versions_ready(), reason="pdca.documents.versions.services.create_version is not there yet"
)


@pytest.fixture
def ims(personas):
    org = personas.org
    hq = Site.objects.create(organization=org, name="Bristol head office")
    Site.objects.create(organization=org, name="Leeds depot")
    system = make_system(
        org,
        (QMS, ISMS),
        scope_statement="Design and hosting of online shops.",
        owner=personas.manager,
    )
    system.sites.set([hq])
    return system


# --- the catalogue ------------------------------------------------------------------------


def test_the_catalogue_holds_the_ten_starters():
    assert [s.key for s in STARTERS] == [
        "quality-policy",
        "information-security-policy",
        "ai-policy",
        "scope-statement",
        "document-control",
        "internal-audit",
        "nonconformity-corrective-action",
        "management-review",
        "risk-assessment-methodology",
        "competence-awareness",
    ]
    assert len({s.code for s in STARTERS}) == len(STARTERS)


@pytest.mark.parametrize("starter", STARTERS, ids=lambda s: s.key)
def test_every_starter_has_a_text_known_placeholders_and_real_requirements(starter):
    assert starter.text.startswith(f"# {starter.title}\n")
    used = set(re.findall(r"\{\{\s*([a-z_]+)\s*\}\}", starter.text))
    assert used <= set(PLACEHOLDERS)
    assert "organization" in used
    # Our own words: none of the standards' modal verbs.
    assert not re.search(r"\bshall\b", starter.text, re.IGNORECASE)
    for code, numbers in starter.requirements.items():
        found = set(
            Requirement.objects.filter(standard__code=code, number__in=numbers).values_list(
                "number", flat=True
            )
        )
        assert found == set(numbers), (code, set(numbers) - found)


# --- filling ------------------------------------------------------------------------------


def test_fill_values_from_the_organization(personas, ims):
    assert starters.fill_values(personas.org, today=TODAY) == {
        "organization": "Org A",
        "scope": "Design and hosting of online shops.",
        "standards": "ISO 9001:2015, ISO/IEC 27001:2022",
        "sites": "Bristol head office",
        "manager": "System Manager A",
        "top_manager": "Top Management A",
        "today": "2026-03-02",
    }


def test_fill_values_hint_at_missing_data(personas):
    values = starters.fill_values(personas.org, today=TODAY)
    assert values["scope"] == "[scope statement: write it on the management system's page]"
    assert values["standards"] == "[the standards the management system follows]"
    assert values["sites"] == "[the sites covered]"
    # Without a system owner, the system manager; without sites of the system, all sites.
    assert values["manager"] == "System Manager A"
    Site.objects.create(organization=personas.org, name="Annex")
    assert starters.fill_values(personas.org)["sites"] == "Annex"


def test_a_system_of_another_organization_is_refused(personas, ims):
    theirs = make_system(personas.other, name="B")
    with pytest.raises(ValidationFailed) as exc:
        starters.fill_values(personas.org, system=theirs)
    assert exc.value.errors[0].field == "system"


def test_values_are_inserted_as_text_never_read_as_template_code(personas, ims):
    personas.org.name = "{{ scope }} {% now 'Y' %} <b>Acme</b>"
    personas.org.save()
    filled = starters.fill_starter(personas.org, "quality-policy", today=TODAY)
    assert "- **Organization:** {{ scope }} {% now 'Y' %} <b>Acme</b>\n" in filled.content
    assert "- **Issued by:** Top Management A, on 2026-03-02\n" in filled.content
    assert "{{" not in filled.content.replace("{{ scope }} {%", "")


def test_unknown_key(personas):
    from pdca.core.exceptions import NotFound

    with pytest.raises(NotFound):
        starters.fill_starter(personas.org, "poem")


# --- making a document --------------------------------------------------------------------


@needs_versions
def test_create_from_template(personas, ims):
    manager = personas.manager
    document = starters.create_from_template(
        personas.org, "information-security-policy", actor=manager
    )
    assert (document.code, document.title, document.doc_type, document.owner) == (
        "POL-ISMS",
        "Information security policy",
        "policy",
        manager,
    )
    assert sorted(
        f"{r.standard.code} {r.number}" for r in document.requirements.select_related("standard")
    ) == ["iso27001-2022 5.2", "iso27001-2022 A.5.1"]
    (version,) = document.versions.all()
    assert (version.number, version.status, version.author) == (1, "draft", manager)
    assert version.change_summary == (
        "First draft, from the starter template “Information security policy”."
    )
    assert "- **Organization:** Org A\n" in version.content
    assert "Report anything suspicious to System Manager A at once." in version.content
    assert ActivityEntry.objects.filter(action="create", actor=manager).count() == 2


@needs_versions
def test_requirements_of_standards_not_adopted_are_left_out(personas, ims):
    document = starters.create_from_template(personas.org, "ai-policy", actor=personas.manager)
    assert list(document.requirements.all()) == []
    document = starters.create_from_template(
        personas.org, "scope-statement", actor=personas.manager
    )
    assert sorted(
        f"{r.standard.code} {r.number}" for r in document.requirements.select_related("standard")
    ) == ["iso27001-2022 4.3", "iso9001-2015 4.3"]


@needs_versions
def test_a_taken_suggested_code_falls_back_to_the_numbering_scheme(personas, ims):
    make_doc(personas.org, "POL-QMS", "Someone else's policy")
    document = starters.create_from_template(personas.org, "quality-policy", actor=personas.manager)
    assert document.code == "POL-001"
    document = starters.create_from_template(
        personas.org, "quality-policy", actor=personas.manager, code="QM-7"
    )
    assert document.code == "QM-7"
    with pytest.raises(ValidationFailed) as exc:
        starters.create_from_template(
            personas.org, "quality-policy", actor=personas.manager, code="qm-7"
        )
    assert exc.value.errors[0].field == "code"
    assert Document.objects.filter(organization=personas.org).count() == 3


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES - IMPLEMENTERS))
def test_only_implementers_create_from_templates(personas, ims, role):
    with pytest.raises(PermissionDenied):
        starters.create_from_template(personas.org, "quality-policy", actor=personas.users[role])
    with pytest.raises(PermissionDenied):
        starters.create_from_template(personas.org, "quality-policy", actor=personas.outsider)
    assert not Document.objects.exists()
    assert not DocumentVersion.objects.exists()


# --- pages --------------------------------------------------------------------------------


def url(name, *args):
    return reverse(f"documents:{name}", args=args)


@pytest.mark.parametrize("role", ROLES)
def test_pages_for_every_role(client, personas, ims, role):
    login(client, personas.users[role])
    pages = [
        url("template-list"),
        url("template-detail", "quality-policy"),
        url("template-docx", "quality-policy"),
        url("template-pdf", "quality-policy"),
    ]
    expected = 200 if role in ORGANIZATION_ROLES else 403
    assert [client.get(page).status_code for page in pages] == [expected] * 4
    if expected == 200:
        html = client.get(url("template-detail", "quality-policy")).content.decode()
        assert "Design and hosting of online shops." in html
        assert "ISO 9001 5.2.2" in html
        assert ("Create the document" in html) is (role in IMPLEMENTERS)


def test_list_page(client, personas, ims):
    login(client, personas.employee)
    html = client.get(url("template-list")).content.decode()
    for starter in STARTERS:
        assert starter.title in html
    assert "<code>POL-ISMS</code>" in html


def test_detail_page_renders_the_markdown_sanitized(client, personas, ims):
    ims.scope_statement = "<script>alert(1)</script> shops"
    ims.save()
    login(client, personas.employee)
    html = client.get(url("template-detail", "scope-statement")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<h2>Scope statement</h2>" in html


def test_downloads(client, personas, ims):
    login(client, personas.employee)
    response = client.get(url("template-docx", "quality-policy"))
    assert response["Content-Disposition"] == 'attachment; filename="quality-policy.docx"'
    text = "\n".join(p.text for p in Docx(io.BytesIO(response.content)).paragraphs)
    assert "Org A exists to serve its customers well" in text
    response = client.get(url("template-pdf", "quality-policy"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_unknown_template_page(client, personas):
    login(client, personas.manager)
    assert client.get(url("template-detail", "poem")).status_code == 404
    assert client.post(url("template-use", "poem")).status_code == 404


@needs_versions
@pytest.mark.parametrize("role", ROLES)
def test_use_for_every_role(client, personas, ims, role):
    login(client, personas.users[role])
    response = client.post(url("template-use", "quality-policy"), {"code": ""})
    if role in IMPLEMENTERS:
        document = Document.objects.get()
        assert response.status_code == 302
        assert response["Location"] == url("documents-detail", document.pk)
        assert document.code == "POL-001"
        assert document.versions.get().author == personas.users[role]
    else:
        assert response.status_code == 403
        assert not Document.objects.exists()


@needs_versions
def test_use_with_a_taken_code_shows_the_error(client, personas, ims):
    make_doc(personas.org, "POL-QMS", "Taken")
    login(client, personas.manager)
    response = client.post(url("template-use", "quality-policy"), {"code": "pol-qms"})
    assert response.status_code == 422
    assert "Another document already has the code pol-qms." in response.content.decode()
    assert Document.objects.count() == 1
    assert client.get(url("template-use", "quality-policy")).status_code == 405


def test_outsider_sees_their_own_data(client, personas, ims):
    login(client, personas.outsider)
    html = client.get(url("template-detail", "quality-policy")).content.decode()
    assert "Org B" in html
    assert "Design and hosting of online shops." not in html


# --- API ----------------------------------------------------------------------------------

API = "/api/v1/document-templates/"


def test_api_list(client, personas):
    login(client, personas.employee)
    rows = client.get(API).json()
    assert len(rows) == 10
    assert rows[0] == {
        "key": "quality-policy",
        "title": "Quality policy",
        "doc_type": "policy",
        "code": "POL-QMS",
        "summary": STARTERS[0].summary,
        "requirements": {"iso9001-2015": ["5.2", "5.2.1", "5.2.2"]},
    }


@pytest.mark.parametrize("role", ROLES)
def test_api_filled_for_every_role(client, personas, ims, role):
    login(client, personas.users[role])
    response = client.get(f"{API}quality-policy/", {"organization": "org-a"})
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200
        body = response.json()
        assert body["values"]["scope"] == "Design and hosting of online shops."
        assert "- **Organization:** Org A\n" in body["content"]
    else:
        assert response.status_code == 404


def test_api_filled_errors(client, personas, ims):
    login(client, personas.manager)
    assert client.get(f"{API}poem/").status_code == 404
    response = client.get(f"{API}quality-policy/", {"system": 999_999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "system"
    login(client, personas.outsider)
    assert client.get(f"{API}quality-policy/", {"organization": "org-a"}).status_code == 404


@needs_versions
@pytest.mark.parametrize("role", ROLES)
def test_api_use_for_every_role(client, personas, ims, role):
    login(client, personas.users[role])
    response = client.post(
        f"{API}scope-statement/use/",
        {"organization": "org-a"},
        content_type="application/json",
    )
    if role in IMPLEMENTERS:
        assert response.status_code == 201, response.content
        document = Document.objects.get()
        assert response.json() == {
            "id": document.pk,
            "code": "MS-SCOPE",
            "title": "Scope of the management system",
            "doc_type": "other",
            "version": 1,
            "requirements": ["iso27001-2022 4.3", "iso9001-2015 4.3"],
        }
        assert ActivityEntry.objects.filter(actor=personas.users[role], via="api").count() == 2
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert not Document.objects.exists()


@needs_versions
def test_api_use_bad_input_writes_nothing(client, personas, ims):
    login(client, personas.manager)
    theirs = make_system(personas.other, name="B")
    for body, field in [
        ({"organization": "org-a", "system": theirs.pk}, "system"),
        ({"organization": "org-a", "code": "x" * 31}, "code"),
        ({"organization": "org-a", "colour": "red"}, "colour"),
        ({}, "organization"),
    ]:
        response = client.post(f"{API}quality-policy/use/", body, content_type="application/json")
        assert response.status_code == 422, (body, response.content)
        assert response.json()["errors"][0]["field"] == field
    assert not Document.objects.exists()
    login(client, personas.outsider)
    response = client.post(
        f"{API}quality-policy/use/", {"organization": "org-a"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not Document.objects.filter(organization=personas.org).exists()


def test_roles_are_the_registered_ones():
    assert {Role.SYSTEM_MANAGER, Role.CONSULTANT} == IMPLEMENTERS
