"""The leadership page and API: top management, the management representative, the policy
documents and the commitments each adopted standard asks of the policy (5.2), roles and
authorities (5.3); who may read them, another organization's system (404), and the same
number of queries however many documents, responsibilities and members there are."""

from __future__ import annotations

import pytest
from django.utils import timezone

from pdca.accounts.models import User
from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.documents.models import Acknowledgement, Document, DocumentVersion
from pdca.reviews.leadership.commitments import ADDED, COMMON, commitments_for
from pdca.reviews.permissions import READERS
from pdca.standards.models import Requirement, Standard
from pdca.system.models import RaciAssignment, Responsibility
from pdca.tenancy.models import Membership

from .factories import make_system

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
API = "/api/v1/leadership/"


def requirement(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def document(org, code: str, doc_type: str = "policy", *, links=(), **fields) -> Document:
    doc = Document.objects.create(
        organization=org, code=code, title=f"{code} title", doc_type=doc_type, **fields
    )
    doc.requirements.set(links)
    return doc


def version(doc: Document, number: int, status: str, author, **fields) -> DocumentVersion:
    return DocumentVersion.objects.create(
        organization_id=doc.organization_id,
        document=doc,
        number=number,
        status=status,
        author=author,
        **fields,
    )


def seed(personas, index: int = 0):
    """A system adopting 9001 and 14001, owned by the manager; policies and a manual; two
    responsibilities (one without an accountable party)."""
    org, manager = personas.org, personas.manager
    system = make_system(org, ("iso9001-2015", "iso14001-2015"), name=f"IMS {index}")
    system.owner = manager
    system.save()
    quality = document(
        org, f"POL-Q{index}", links=[requirement("iso9001-2015", "5.2.1")], owner=manager
    )
    version(quality, 1, "superseded", manager)
    published = version(quality, 2, "published", manager, effective_date=TODAY)
    for user, read in ((personas.employee, True), (personas.users[Role.PROCESS_OWNER], False)):
        Acknowledgement.objects.create(
            organization=org,
            version=published,
            user=user,
            acknowledged_at=timezone.now() if read else None,
        )
    version(document(org, f"POL-E{index}"), 1, "draft", manager)
    document(org, f"MAN-{index}", "manual", links=[requirement("iso14001-2015", "5.2")])
    document(org, f"PRO-{index}", "procedure")  # neither a policy nor linked: left out
    document(org, f"POL-X{index}", obsolete=True)
    document(org, f"POL-A{index}", archived_at=timezone.now())
    approve = Responsibility.objects.create(organization=org, activity=f"Approve policy {index}")
    for party in ({"role": "Managing director"}, {"user": manager}):
        letter = "A" if "role" in party else "R"
        RaciAssignment.objects.create(
            organization=org, responsibility=approve, letter=letter, **party
        )
    RaciAssignment.objects.create(
        organization=org, responsibility=approve, role="Staff", letter="I"
    )
    Responsibility.objects.create(organization=org, activity=f"Buy tools {index}")
    return system


@pytest.fixture
def seeded(personas, catalog):
    return seed(personas)


def test_the_api_gathers_people_policies_commitments_and_roles(client, personas, seeded):
    other = make_system(personas.org, name="Another system")  # listed, not chosen
    login(client, personas.users[Role.TOP_MANAGEMENT])
    data = client.get(API, {"system": seeded.pk}).json()
    assert data["system"] == {"id": seeded.pk, "name": "IMS 0"}
    assert [s["id"] for s in data["systems"]] == [other.pk, seeded.pk]
    assert [p["name"] for p in data["top_management"]] == ["Top Management A"]
    assert data["representative"]["email"] == "system_manager@a.example"
    assert [p["name"] for p in data["system_managers"]] == ["System Manager A", "Consultant A"]

    policies = {p["code"]: p for p in data["policies"]}
    assert list(policies) == ["MAN-0", "POL-E0", "POL-Q0"]
    quality = policies["POL-Q0"]
    assert quality["published"] is True and quality["published_version"] == 2
    assert quality["published_on"] == TODAY.isoformat()
    assert (quality["asked"], quality["acknowledged"]) == (2, 1)
    assert quality["standards"] == ["iso9001-2015"] and quality["owner"] == "System Manager A"
    assert policies["POL-E0"]["published"] is False and policies["POL-E0"]["standards"] == []
    assert policies["MAN-0"]["doc_type"] == "Manual"

    by_code = {s["code"]: s for s in data["standards"]}
    assert list(by_code) == ["iso9001-2015", "iso14001-2015"]  # by the standard's number
    qms, ems = by_code["iso9001-2015"], by_code["iso14001-2015"]
    assert qms["clauses"] == ["5.2", "5.2.1", "5.2.2"] and ems["clauses"] == ["5.2"]
    assert qms["documents"] == [quality["id"]] and qms["published"] is True
    assert ems["documents"] == [policies["MAN-0"]["id"]] and ems["published"] is False
    common = [c.key for c in COMMON]
    assert [c["key"] for c in qms["commitments"]] == [*common, "direction"]
    assert [c["key"] for c in ems["commitments"]] == [*common, "environment", "compliance"]

    approve = Responsibility.objects.get(activity="Approve policy 0")
    tools = Responsibility.objects.get(activity="Buy tools 0")
    assert data["duties"] == [
        {
            "id": approve.pk,
            "activity": "Approve policy 0",
            "process": "",
            "url": f"/responsibilities/{approve.pk}/",
            "accountable": ["Managing director"],
            "responsible": ["System Manager A"],
            "problems": [],
        },
        {
            "id": tools.pk,
            "activity": "Buy tools 0",
            "process": "",
            "url": f"/responsibilities/{tools.pk}/",
            "accountable": [],
            "responsible": [],
            "problems": ["nobody is responsible (no R)", "nobody is accountable (no A)"],
        },
    ]
    roles = {r["role"]: [p["name"] for p in r["people"]] for r in data["roles"]}
    assert list(roles) == [
        "top_management",
        "system_manager",
        "consultant",
        "process_owner",
        "internal_auditor",
        "employee",
        "admin",
    ]
    assert roles["employee"] == ["Employee A"]


def test_the_page_shows_the_same_and_flags_what_is_missing(client, personas, seeded):
    login(client, personas.manager)
    response = client.get("/leadership/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Top Management A" in html and "owner of" in html
    assert 'id="standard-iso14001-2015"' in html
    assert "Commits to fulfilling the compliance obligations" in html
    # POL-E0 and MAN-0 in the list, MAN-0 again under ISO 14001.
    assert html.count("not published") == 3
    assert "nobody is accountable (no A)" in html
    assert 'href="/responsibilities/"' in html
    assert "POL-X0" not in html and "POL-A0" not in html and "PRO-0" not in html


def test_a_policy_clause_without_a_document_is_flagged(client, personas, catalog):
    system = make_system(personas.org, ("iso45001-2018",))
    login(client, personas.manager)
    data = client.get(API, {"system": system.pk}).json()
    assert data["standards"][0]["documents"] == [] and data["policies"] == []
    html = client.get(f"/leadership/?system={system.pk}").content.decode()
    assert "No document is linked to clause 5.2 of ISO 45001." in html
    assert "Commits to consulting workers and to their participation" in html


def test_without_a_system_the_people_still_show(client, personas, catalog):
    login(client, personas.manager)
    data = client.get(API).json()
    assert data["system"] is None and data["standards"] == []
    assert data["representative"] is None
    assert [p["name"] for p in data["top_management"]] == ["Top Management A"]
    assert "No management system yet" in client.get("/leadership/").content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_read_leadership(client, personas, seeded, role):
    login(client, personas.users[role])
    org = personas.org_for(role)
    api = client.get(API, {"organization": org.slug})
    page = client.get("/leadership/")
    if role in READERS:
        assert api.status_code == 200 and page.status_code == 200
        assert (api.json()["system"] is not None) is (org == personas.org)
    else:
        assert api.status_code == 404 and page.status_code == 403


@pytest.mark.parametrize("role", [Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT])
def test_another_organizations_system_or_organization_is_not_found(client, personas, seeded, role):
    theirs = make_system(personas.other, name="Their system")
    login(client, personas.users[role])
    assert client.get(API, {"system": theirs.pk}).status_code == 404
    assert client.get(f"/leadership/?system={theirs.pk}").status_code == 404
    assert client.get(API, {"organization": personas.other.slug}).status_code == 404
    assert client.get("/leadership/?system=nine").status_code == 404
    assert client.get(API, {"system": "nine"}).status_code == 422
    login(client, personas.outsider)
    assert client.get(API, {"system": seeded.pk}).status_code == 404
    assert "IMS 0" not in client.get("/leadership/").content.decode()


def test_anonymous_is_refused(client, seeded):
    assert client.get(API).status_code == 401
    assert client.get("/leadership/").status_code == 302


def test_the_same_queries_at_two_sizes(client, personas, catalog):
    login(client, personas.manager)
    counts = []
    for start, stop in ((0, 1), (1, 5)):
        for index in range(start, stop):
            system = seed(personas, index)
            boss = User.objects.create_user(f"boss{index}@a.example", "x", full_name=f"B {index}")
            Membership.objects.create(organization=personas.org, user=boss, role="top_management")
        api_url, page_url = f"{API}?system={system.pk}", f"/leadership/?system={system.pk}"
        client.get(api_url)  # the session and the user's roles
        api_queries, api = count_queries(lambda: client.get(api_url))  # noqa: B023
        page_queries, page = count_queries(lambda: client.get(page_url))  # noqa: B023
        assert api.status_code == 200 and page.status_code == 200
        counts.append((api_queries, page_queries))
    assert counts[0] == counts[1]
    # Policies belong to the organization, not to one system: every seeded set's three.
    assert len(api.json()["policies"]) == 15 and len(api.json()["top_management"]) == 6


def test_every_catalog_standard_has_its_own_commitments(catalog):
    for standard in Standard.objects.all():
        lines = commitments_for(standard.code)
        assert lines[: len(COMMON)] == COMMON
        assert standard.code.split("-")[0] in ADDED, standard.code
        assert len({c.key for c in lines}) == len(lines)


def test_the_cli_shows_the_same_as_the_member_named(personas, seeded, client):
    import json

    from typer.testing import CliRunner

    from pdca.cli import app

    def run(*args):
        return CliRunner().invoke(app, ["review", "leadership", *map(str, args)], prog_name="pdca")

    org = personas.org.slug
    top = personas.users[Role.TOP_MANAGEMENT]
    assert run("--org", org).exit_code == 2  # says who reads it
    assert run("--org", org, "--as", personas.employee.email).exit_code == 1  # not a reader
    assert run("--org", org, "--as", top.email, "--system", 999_999).exit_code == 1
    result = run("--org", org, "--as", top.email, "--system", seeded.pk, "--format", "json")
    assert result.exit_code == 0, result.output
    login(client, top)
    assert json.loads(result.output) == client.get(API, {"system": seeded.pk}).json()
    table = run("--org", org, "--as", top.email, "--system", seeded.pk)
    assert table.exit_code == 0, table.output
    assert "POL-Q0" in table.output and "Approve policy 0" in table.output
    assert "nobody is accountable" in table.output
