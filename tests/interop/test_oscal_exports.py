"""Every exported OSCAL document parses with compliance-trestle's models: the catalog of each
shipped standard, an assessment of a system with several standards, an audit with a finding
of each grade, and the plan of action and milestones (open nonconformities only)."""

from __future__ import annotations

import pytest
import trestle.oscal

from pdca.improvement.models import Nonconformity
from pdca.interop.oscal.assessment_results import (
    assessment_results_for_assessment,
    assessment_results_for_audit,
)
from pdca.interop.oscal.catalog import catalog_document
from pdca.interop.oscal.common import OSCAL_VERSION, control_id
from pdca.interop.oscal.poam import open_nonconformities, poam_document
from pdca.standards.catalog_files import shipped_files
from pdca.standards.models import Requirement, Standard
from tests.interop.oscal_data import (
    ISMS,
    QMS,
    make_assessment,
    make_audit,
    make_finding,
    make_nonconformity,
    validate,
)

pytestmark = pytest.mark.usefixtures("catalog")

SHIPPED = sorted(
    p.stem for p in shipped_files() if p.parent.name == "catalog" and p.stem[:3] == "iso"
)


def _controls(nodes):
    for node in nodes:
        yield node
        yield from _controls(node.get("controls", []))


def test_our_oscal_version_is_trestles():
    assert OSCAL_VERSION == trestle.oscal.OSCAL_VERSION


def test_control_ids_are_tokens_derived_from_numbers():
    assert [control_id(n) for n in ("A.5.1", "4.1", "10", "B.2")] == [
        "a.5.1",
        "c.4.1",
        "c.10",
        "b.2",
    ]


@pytest.mark.parametrize("code", SHIPPED)
def test_the_catalog_of_every_shipped_standard_is_valid_oscal(code):
    standard = Standard.objects.get(code=code)
    doc = catalog_document(standard)
    catalog = validate(doc)
    body = doc["catalog"]
    controls = list(_controls(body.get("controls", [])))
    for group in body.get("groups", []):
        controls += list(_controls(group.get("controls", [])))
    assert len(controls) == Requirement.objects.filter(standard=standard, retired=False).count()
    assert len({c["id"] for c in controls}) == len(controls)
    assert catalog.metadata.oscal_version.root.root == OSCAL_VERSION
    assert len(body.get("groups", [])) == standard.groups.count()


def test_the_27001_catalog_maps_groups_controls_and_summaries():
    body = catalog_document(Standard.objects.get(code=ISMS))["catalog"]
    a5 = body["groups"][0]
    assert (a5["id"], a5["title"]) == ("g.a.5", "Organizational controls")
    first = a5["controls"][0]
    assert first["id"] == "a.5.1"
    assert first["title"] == "Policies for information security"
    assert {"name": "label", "value": "A.5.1"} in first["props"]
    assert first["parts"][0]["name"] == "statement"
    summary = Requirement.objects.get(standard__code=ISMS, number="A.5.1").summary
    assert first["parts"][0]["prose"] == summary
    clause4 = body["controls"][0]
    assert (clause4["id"], clause4["class"]) == ("c.4", "clause")
    assert [c["id"] for c in clause4["controls"]][:2] == ["c.4.1", "c.4.2"]


def test_a_provisional_standard_and_requirement_carry_the_provisional_prop():
    standard = Standard.objects.get(code=QMS)
    standard.provisional, standard.provisional_note = True, "Not yet verified."
    standard.save()
    Requirement.objects.filter(standard=standard, number="4.1").update(provisional=True)
    body = catalog_document(standard)["catalog"]
    marked = {"name": "provisional", "value": "true", "ns": "https://pdca.example/ns/oscal"}
    assert marked in body["metadata"]["props"]
    clause41 = next(c for c in _controls(body["controls"]) if c["id"] == "c.4.1")
    assert marked in clause41["props"]
    clause42 = next(c for c in _controls(body["controls"]) if c["id"] == "c.4.2")
    assert marked not in clause42["props"]
    validate({"catalog": body})


def test_exporting_twice_gives_the_same_document_but_for_timestamps():
    standard = Standard.objects.get(code=ISMS)
    first, second = catalog_document(standard), catalog_document(standard)
    first["catalog"]["metadata"].pop("last-modified")
    second["catalog"]["metadata"].pop("last-modified")
    assert first == second


def test_an_assessment_of_several_standards_is_valid_assessment_results(personas):
    assessment = make_assessment(personas)
    doc = assessment_results_for_assessment(assessment)
    validate(doc)
    result = doc["assessment-results"]["results"][0]
    selections = result["reviewed-controls"]["control-selections"]
    assert [s["props"][0]["value"] for s in selections] == [ISMS, QMS]
    findings = result["findings"]
    assert len(findings) == assessment.items.count()
    states = [f["target"]["status"]["state"] for f in findings[:4]]
    assert states == ["satisfied", "not-satisfied", "satisfied", "not-satisfied"]
    assert findings[1]["target"]["implementation-status"] == {"state": "partial"}
    assert len(result["observations"]) == 3
    evidence = result["observations"][0]["relevant-evidence"]
    assert evidence[0] == {
        "description": "https://intranet.example/policy",
        "href": "https://intranet.example/policy",
    }
    uuids = [f["uuid"] for f in findings]
    assert len(set(uuids)) == len(uuids)


def test_an_audit_with_a_finding_of_each_grade_is_valid_assessment_results(personas):
    audit = make_audit(personas.org)
    doc = assessment_results_for_audit(audit)
    validate(doc)
    findings = doc["assessment-results"]["results"][0]["findings"]
    grades = [next(p["value"] for p in f["props"] if p["name"] == "grade") for f in findings]
    assert grades == ["major", "minor", "observation", "ofi", "strength"]
    states = [f["target"]["status"]["state"] for f in findings]
    assert states == ["not-satisfied", "not-satisfied", "satisfied", "satisfied", "satisfied"]
    assert findings[0]["target"]["target-id"] == "c.7.5.3_smt"
    assert len(doc["assessment-results"]["results"][0]["observations"]) == 5


def test_the_poam_holds_the_open_nonconformities_only(personas):
    owner = personas.users["process_owner"]
    open_nc = make_nonconformity(personas.org, owner, 1)
    closed = make_nonconformity(personas.org, owner, 2, Nonconformity.Status.CLOSED)
    make_nonconformity(personas.other, personas.outsider, 3)
    audit = make_audit(personas.org, findings=False)
    finding = make_finding(audit, 1, "minor")
    finding.nonconformity = open_nc
    finding.save()
    rows = open_nonconformities(Nonconformity.objects.filter(organization=personas.org))
    doc = poam_document(personas.org, rows)
    poam = validate(doc)
    items = doc["plan-of-action-and-milestones"]["poam-items"]
    assert [i["title"] for i in items] == [str(open_nc)]
    assert str(closed) not in str(doc)
    risk = doc["plan-of-action-and-milestones"]["risks"][0]
    assert risk["deadline"].startswith("2026-06-30")
    task = risk["remediations"][0]["tasks"][0]
    assert task["timing"]["on-date"]["date"].startswith("2026-05-31")
    parties = {
        p["uuid"]: p["name"] for p in doc["plan-of-action-and-milestones"]["metadata"]["parties"]
    }
    assert parties[task["responsible-roles"][0]["party-uuids"][0]] == owner.get_full_name()
    ar = assessment_results_for_audit(audit)["assessment-results"]["results"][0]
    assert items[0]["related-findings"][0]["finding-uuid"] == ar["findings"][0]["uuid"]
    assert len(poam.poam_items) == 1
