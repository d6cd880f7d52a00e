"""Mandatory documented information coverage: per adopted standard, each item met, in
progress, a gap or excluded, with the linked documents; the page (filters, XLSX) and the API,
with every role, the other organization, and constant query counts.

The factories here (`make_system`, `make_doc`, `make_version`) are shared by the other tests
of starter templates, rendering, search, tasks and the CLI."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.documents.coverage import coverage, coverage_xlsx
from pdca.documents.models import Document, DocumentVersion
from pdca.standards.models import Requirement, Standard
from pdca.system.models import AdoptedStandard, Exclusion, ManagementSystem

pytestmark = pytest.mark.usefixtures("catalog")

QMS, ISMS = "iso9001-2015", "iso27001-2022"
ROLES = sorted(ALL_ROLES)
Status = DocumentVersion.Status


# --- factories ----------------------------------------------------------------------------


def requirement(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def make_system(org, codes=(QMS,), name="Integrated management system", **fields):
    system = ManagementSystem.objects.create(organization=org, name=name, **fields)
    for code in codes:
        AdoptedStandard.objects.create(
            organization=org,
            system=system,
            standard=Standard.objects.get(code=code),
            adopted_on=dt.date(2026, 1, 5),
        )
    return system


def make_doc(org, code="QP-001", title="Control of documents", requirements=(), **fields):
    doc = Document.objects.create(organization=org, code=code, title=title, **fields)
    if requirements:
        doc.requirements.set([requirement(c, n) for c, n in requirements])
    return doc


def make_version(doc, author, number=1, status=Status.DRAFT, content="", **fields):
    return DocumentVersion.objects.create(
        organization_id=doc.organization_id,
        document=doc,
        number=number,
        status=status,
        content=content,
        author=author,
        **fields,
    )


# --- the computation ----------------------------------------------------------------------


@pytest.fixture
def ims(personas):
    org, manager = personas.org, personas.manager
    system = make_system(org, (QMS, ISMS))
    Exclusion.objects.create(
        organization=org,
        system=system,
        requirement=requirement(QMS, "7.1.5.2"),
        justification="We make no measurements that need traceability.",
    )
    policy = make_doc(org, "POL-001", "Quality policy", [(QMS, "5.2.2")], doc_type="policy")
    make_version(policy, manager, 1, Status.SUPERSEDED)
    make_version(policy, manager, 2, Status.PUBLISHED)
    make_version(policy, manager, 3, Status.DRAFT)
    scope_doc = make_doc(org, "DOC-001", "Scope", [(QMS, "4.3"), (ISMS, "4.3")])
    make_version(scope_doc, manager, 1, Status.IN_REVIEW)
    old = make_doc(org, "DOC-002", "Old scope", [(ISMS, "4.3")], obsolete=True)
    make_version(old, manager, 1, Status.OBSOLETE)
    make_doc(org, "QP-009", "Empty procedure", [(QMS, "8.1")])
    return system


def items_of(section) -> dict[str, tuple[str, list[str]]]:
    found = {}
    for item in section.items:
        found.setdefault(item.number, (item.status, [d.code for d in item.documents]))
    return found


def test_each_item_is_met_in_progress_a_gap_or_excluded(personas, ims):
    sections = coverage(personas.manager, personas.org)
    assert [(s.system, s.standard_code) for s in sections] == [
        ("Integrated management system", QMS),
        ("Integrated management system", ISMS),
    ]
    qms, isms = sections
    found = items_of(qms)
    assert found["5.2.2"] == ("met", ["POL-001"])
    assert found["4.3"] == ("in_progress", ["DOC-001"])
    assert found["7.1.5.2"] == ("excluded", [])
    assert found["8.1"] == ("gap", ["QP-009"])
    assert found["9.2.2"] == ("gap", [])
    # The obsolete document does not count, nor show.
    assert items_of(isms)["4.3"] == ("in_progress", ["DOC-001"])
    policy = next(i for i in qms.items if i.number == "5.2.2")
    assert (policy.type, policy.what, policy.documents[0].published_number) == (
        "maintain",
        "quality policy",
        2,
    )
    excluded = next(i for i in qms.items if i.number == "7.1.5.2")
    assert excluded.justification == "We make no measurements that need traceability."


def test_counts_per_standard(personas, ims):
    qms, isms = coverage(personas.manager, personas.org)
    expected_qms = sum(
        len(r.documented_information)
        for r in Requirement.objects.filter(standard__code=QMS, retired=False)
    )
    # 8.1 and 4.4.2 hold two items each; 4.3, 5.2.2, 7.1.5.2 one.
    assert qms.counts == {"met": 1, "in_progress": 1, "gap": expected_qms - 3, "excluded": 1}
    assert qms.total == expected_qms
    assert qms.percent == round(100 * 1 / (expected_qms - 1))
    assert isms.counts["in_progress"] == 1
    assert isms.counts["met"] == 0


def test_gaps_only_lists_gaps_and_keeps_whole_counts(personas, ims):
    qms, _ = coverage(personas.manager, personas.org, gaps_only=True)
    assert {i.status for i in qms.items} == {"gap"}
    assert "5.2.2" not in {i.number for i in qms.items}
    assert qms.counts["met"] == 1


def test_dropped_standards_and_other_organizations_do_not_count(personas, ims):
    AdoptedStandard.objects.filter(system=ims, standard__code=ISMS).update(
        dropped_on=dt.date(2026, 2, 1)
    )
    theirs = make_system(personas.other, (QMS,), name="B system")
    make_doc(personas.other, "POL-001", "Their policy", [(QMS, "4.3")])
    assert [s.standard_code for s in coverage(personas.manager, personas.org)] == [QMS]
    (section,) = coverage(personas.outsider, personas.other)
    assert section.system_id == theirs.pk
    assert items_of(section)["4.3"] == ("gap", ["POL-001"])
    # A user sees nothing of an organization they are not a member of.
    assert coverage(personas.outsider, personas.org) == []


def test_no_adopted_standard_no_sections(personas):
    assert coverage(personas.manager, personas.org) == []


def test_query_count_does_not_grow(personas):
    system = make_system(personas.org, (QMS, ISMS))

    def add(n, start):
        for i in range(start, start + n):
            doc = make_doc(personas.org, f"D-{i:03d}", f"Doc {i}", [(QMS, "4.3"), (ISMS, "5.2")])
            make_version(doc, personas.manager, 1, Status.PUBLISHED)
            Exclusion.objects.get_or_create(
                organization=personas.org,
                system=system,
                requirement=requirement(QMS, "8.3.3"),
                defaults={"justification": "No design."},
            )

    add(2, 0)
    coverage(personas.manager, personas.org)  # the roles are read once, then cached
    few, _ = count_queries(lambda: coverage(personas.manager, personas.org))
    add(10, 2)
    many, sections = count_queries(lambda: coverage(personas.manager, personas.org))
    assert few == many
    assert len(items_of(sections[0])["4.3"][1]) == 12


def test_xlsx(personas, ims):
    workbook = load_workbook(io.BytesIO(coverage_xlsx(coverage(personas.manager, personas.org))))
    rows = list(workbook["Coverage"].values)
    assert rows[0][:8] == (
        "System",
        "Standard",
        "Requirement",
        "Title",
        "Type",
        "Documented information",
        "Status",
        "Documents",
    )
    policy = next(r for r in rows if r[1] == "ISO 9001:2015" and r[2] == "5.2.2")
    assert policy[4:8] == (
        "maintain",
        "quality policy",
        "Met",
        "POL-001 Quality policy (v2 published)",
    )
    excluded = next(r for r in rows if r[2] == "7.1.5.2")
    assert (excluded[6], excluded[8]) == (
        "Excluded",
        "We make no measurements that need traceability.",
    )
    summary = list(workbook["Summary"].values)
    assert summary[0] == (
        "System",
        "Standard",
        "Items",
        "Met",
        "In progress",
        "Gap",
        "Excluded",
        "Met (%)",
    )
    assert summary[1][1:4] == (
        "ISO 9001:2015",
        len(coverage(personas.manager, personas.org)[0].items),
        1,
    )


# --- page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_page_for_every_role(client, personas, ims, role):
    login(client, personas.users[role])
    response = client.get("/documents/coverage/")
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200
        html = response.content.decode()
        assert "ISO 9001:2015" in html and "POL-001 Quality policy" in html
        assert "We make no measurements that need traceability." in html
        assert client.get("/documents/coverage.xlsx").status_code == 200
    else:
        # A certification body's members keep no documents of their own here.
        assert response.status_code == 403
        assert client.get("/documents/coverage.xlsx").status_code == 403


def test_page_filters_gaps_and_exports_them(client, personas, ims):
    login(client, personas.manager)
    html = client.get("/documents/coverage/?gaps=1").content.decode()
    assert "POL-001 Quality policy" not in html
    assert "none linked" in html
    response = client.get("/documents/coverage.xlsx?gaps=1")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    statuses = {
        r[6] for r in list(load_workbook(io.BytesIO(response.content))["Coverage"].values)[1:]
    }
    assert statuses == {"Gap"}


def test_outsider_sees_only_their_own(client, personas, ims):
    login(client, personas.outsider)
    html = client.get("/documents/coverage/").content.decode()
    assert "POL-001" not in html
    assert "Adopt a standard" in html


def test_page_query_count_does_not_grow(client, personas, ims):
    login(client, personas.manager)
    few, _ = count_queries(lambda: client.get("/documents/coverage/"))
    for i in range(10):
        doc = make_doc(personas.org, f"X-{i}", f"Extra {i}", [(QMS, "9.2.2")])
        make_version(doc, personas.manager, 1, Status.PUBLISHED)
    many, response = count_queries(lambda: client.get("/documents/coverage/"))
    assert response.status_code == 200
    assert few == many


# --- API ----------------------------------------------------------------------------------

API = "/api/v1/documented-information/coverage/"


@pytest.mark.parametrize("role", ROLES)
def test_api_for_every_role(client, personas, ims, role):
    login(client, personas.users[role])
    response = client.get(API, {"organization": "org-a"})
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200, response.content
        qms = response.json()[0]
        assert (qms["standard"], qms["system"], qms["counts"]["met"]) == (QMS, ims.pk, 1)
        item = next(i for i in qms["items"] if i["requirement"] == "5.2.2")
        assert item["status"] == "met"
        assert item["documents"][0] == {
            "id": Document.objects.get(code="POL-001").pk,
            "code": "POL-001",
            "title": "Quality policy",
            "kind": "maintained",
            "published_version": 2,
            "status": "met",
        }
    else:
        assert response.status_code == 404


def test_api_gaps_only_anonymous_and_other_organization(client, personas, ims):
    assert client.get(API).status_code == 401
    login(client, personas.manager)
    items = client.get(API, {"gaps_only": "true"}).json()[0]["items"]
    assert {i["status"] for i in items} == {"gap"}
    login(client, personas.outsider)
    assert client.get(API, {"organization": "org-a"}).status_code == 404
    assert client.get(API).json() == []


def test_excluding_a_clause_excludes_every_item_under_it(personas):
    """9001 8.3 excluded: 8.3.2 to 8.3.6 are excluded with 8.3's justification, not gaps, and
    out of the figure (the demo showed them as gaps with "0 excluded")."""
    org = personas.org
    system = make_system(org)
    Exclusion.objects.create(
        organization=org,
        system=system,
        requirement=requirement(QMS, "8.3"),
        justification="We build to our customers' designs.",
    )
    (qms,) = coverage(personas.manager, org)
    under_design = [i for i in qms.items if i.number.startswith("8.3.")]
    assert under_design, "the catalog asks for documented information under 8.3"
    assert {(i.status, i.justification) for i in under_design} == {
        ("excluded", "We build to our customers' designs.")
    }
    assert qms.counts["excluded"] == len(under_design)
    applicable = qms.total - len(under_design)
    assert qms.percent == round(100 * qms.counts["met"] / applicable)
