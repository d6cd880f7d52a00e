"""`pdca oscal export …` and `pdca oscal import FILE`, run in-process with typer's CliRunner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from pdca.cli import app
from pdca.interop.oscal.catalog import catalog_document
from pdca.standards.models import Requirement, Standard
from tests.interop.oscal_data import ISMS, QMS, make_assessment, make_audit, make_nonconformity
from tests.interop.oscal_data import validate as validated

pytestmark = pytest.mark.usefixtures("catalog")


def run(*args):
    return CliRunner().invoke(app, list(map(str, args)), prog_name="pdca")


def test_export_catalog_to_standard_output():
    result = run("oscal", "export", "catalog", ISMS)
    assert result.exit_code == 0, result.output
    assert validated(json.loads(result.stdout)).metadata.title


def test_export_catalog_of_an_unknown_code_exits_1_naming_the_list_command():
    result = run("oscal", "export", "catalog", "nope")
    assert result.exit_code == 1
    assert "pdca standards list" in result.output


def test_export_assessment_results_of_an_assessment_and_an_audit(personas, tmp_path):
    assessment = make_assessment(personas, codes=(QMS,))
    audit = make_audit(personas.org)
    out = tmp_path / "ar.json"
    result = run("oscal", "export", "assessment-results", "--assessment", assessment.pk, "-o", out)
    assert result.exit_code == 0, result.output
    validated(json.loads(out.read_text()))
    result = run("oscal", "export", "assessment-results", "--audit", audit.pk)
    assert result.exit_code == 0, result.output
    doc = validated(json.loads(result.stdout))
    assert len(doc.results[0].findings) == 5


@pytest.mark.parametrize("args", [[], ["--assessment", 1, "--audit", 1]])
def test_export_assessment_results_needs_exactly_one_record(args):
    result = run("oscal", "export", "assessment-results", *args)
    assert result.exit_code == 2


def test_export_poam_of_an_organization(personas):
    make_nonconformity(personas.org, personas.users["process_owner"], 1)
    result = run("oscal", "export", "poam", "--organization", "org-a")
    assert result.exit_code == 0, result.output
    assert len(validated(json.loads(result.stdout)).poam_items) == 1
    assert run("oscal", "export", "poam", "--organization", "nope").exit_code == 1


def test_import_a_catalog_file(tmp_path):
    path = tmp_path / "qms.json"
    path.write_text(json.dumps(catalog_document(Standard.objects.get(code=QMS))))
    result = run("oscal", "import", path, "--code", "qms-cli")
    assert result.exit_code == 0, result.output
    assert "qms-cli" in result.output
    assert Requirement.objects.filter(standard__code="qms-cli").count() == (
        Requirement.objects.filter(standard__code=QMS, retired=False).count()
    )


def test_import_a_profile_with_its_catalog(tmp_path):
    catalog = tmp_path / "isms.json"
    catalog.write_text(json.dumps(catalog_document(Standard.objects.get(code=ISMS))))
    profile = tmp_path / "profile.json"
    profile.write_text(
        json.dumps(
            {
                "profile": {
                    "uuid": "a1f0d5c4-3f57-4a0e-8e5f-7a0c6d6f0b21",
                    "metadata": {
                        "title": "One control",
                        "last-modified": "2026-01-01T00:00:00+00:00",
                        "version": "1",
                        "oscal-version": "1.1.2",
                    },
                    "imports": [
                        {"href": "isms.json", "include-controls": [{"with-ids": ["a.8.1"]}]}
                    ],
                    "modify": {"alters": [{"control-id": "a.8.1"}]},
                }
            }
        )
    )
    result = run("oscal", "import", profile, "--profile-catalog", catalog)
    assert result.exit_code == 0, result.output
    assert "modify.alters" in result.output
    assert list(
        Requirement.objects.filter(standard__code="oscal-one-control").values_list(
            "number", flat=True
        )
    ) == ["A.8.1"]


def test_a_refused_import_exits_2_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    before = Standard.objects.count()
    result = run("oscal", "import", path)
    assert result.exit_code == 2
    assert "Not valid JSON" in result.output
    assert Standard.objects.count() == before
    assert run("oscal", "import", tmp_path / "missing.json").exit_code == 2
