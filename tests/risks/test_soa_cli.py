"""`pdca soa list|versions|status|export`, run in-process with typer's CliRunner on the test
database; and the demo SoAs."""

from __future__ import annotations

import io
import json

import pytest
import typer
from openpyxl import load_workbook
from typer.testing import CliRunner

from pdca.core.models import ActivityEntry
from pdca.risks.soa import services
from pdca.risks.soa.cli import app as soa_app
from tests.risks.test_soa_services import decide_all, standard

pytestmark = pytest.mark.usefixtures("catalog")

# Mounted here as the project's `pdca` command mounts it, so the tests do not depend on it.
root = typer.Typer()
root.add_typer(soa_app, name="soa")


def run(*args):
    return CliRunner().invoke(root, [str(a) for a in args], prog_name="pdca")


@pytest.fixture
def soa(personas):
    soa = services.create_soa(personas.org, standard(), actor=personas.manager, title="ISMS SoA")
    decide_all(soa)
    return soa


@pytest.mark.parametrize(
    ("command", "says"),
    [("list", "--as"), ("versions", "--format"), ("status", "--format"), ("export", "--xlsx")],
)
def test_every_soa_command_has_help(command, says):
    result = run("soa", command, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: pdca soa {command} [OPTIONS]" in result.output
    assert says in result.output


@pytest.fixture
def theirs(personas):
    """Org B's SoA of the same standard, with a long title."""
    soa = services.create_soa(
        personas.other,
        standard(),
        actor=personas.outsider,
        title="Obsolete drawing revision at machine 4 SoA",
    )
    decide_all(soa)
    return soa


def test_list_as_json_gives_the_ids_and_latest_versions(personas, soa, theirs):
    version = services.approve_soa(soa, actor=personas.manager)
    result = run("soa", "list", "--org", "org-a", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "id": soa.pk,
            "organization": "org-a",
            "title": "ISMS SoA",
            "standard": "iso27001-2022",
            "system": None,
            "lines": soa.lines.count(),
            "latest_version": 1,
            "approved_at": version.approved_at.isoformat(),
        }
    ]


def test_list_as_a_table_keeps_long_titles_whole(personas, soa, theirs):
    result = run("soa", "list")
    assert result.exit_code == 0, result.output
    assert "Obsolete drawing revision at machine 4 SoA" in result.output
    assert "…" not in result.output
    assert "org-a" in result.output and "org-b" in result.output
    assert "not yet" in result.output
    assert "2 Statement(s) of Applicability." in result.output


@pytest.mark.parametrize(
    ("email", "titles"),
    [
        ("employee@a.example", ["ISMS SoA"]),
        ("manager@b.example", ["Obsolete drawing revision at machine 4 SoA"]),
        ("auditor@cb.example", []),
    ],
)
def test_list_as_a_member_shows_only_their_organizations(soa, theirs, email, titles):
    result = run("soa", "list", "--as", email, "-f", "json")
    assert result.exit_code == 0, result.output
    assert [row["title"] for row in json.loads(result.output)] == titles


def test_versions_lists_the_numbers_export_takes(personas, soa):
    result = run("soa", "versions", soa.pk)
    assert result.exit_code == 0, result.output
    assert result.output == "ISMS SoA has no approved version yet.\n"
    first = services.approve_soa(soa, actor=personas.manager, note="First")
    second = services.approve_soa(soa, actor=personas.manager)
    result = run("soa", "versions", soa.pk, "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "number": v.number,
            "approved_at": v.approved_at.isoformat(),
            "approved_by": "system_manager@a.example",
            "note": v.note,
            "sha256": v.sha256,
        }
        for v in (second, first)
    ]
    table = run("soa", "versions", soa.pk)
    assert first.sha256 in table.output and "First" in table.output


def test_status_as_json(personas, soa):
    soa.lines.filter(control__number="A.5.1").update(applicable=None)
    result = run("soa", "status", soa.pk, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["standard"], data["latest_version"], data["changed_since_approval"]) == (
        "iso27001-2022",
        None,
        [],
    )
    assert data["completeness"]["undecided"] == 1
    assert data["completeness"]["problems"] == ["1 control(s) not yet decided (applicable or not)"]


def test_status_as_a_table_after_approval(personas, soa):
    version = services.approve_soa(soa, actor=personas.manager)
    result = run("soa", "status", soa.pk)
    assert result.exit_code == 0, result.output
    assert "ISMS SoA" in result.output
    assert "100% decided and justified" in result.output
    assert f"version 1 on {version.approved_at:%Y-%m-%d}" in result.output
    assert "0 line(s) changed since." in " ".join(result.output.split())


def test_export_the_draft_and_a_version(personas, soa, tmp_path):
    services.approve_soa(soa, actor=personas.manager)
    draft = tmp_path / "draft.xlsx"
    result = run("soa", "export", soa.pk, "--xlsx", draft)
    assert result.exit_code == 0, result.output
    assert load_workbook(io.BytesIO(draft.read_bytes()))["Lines"]["B4"].value == "Draft"
    frozen, pdf = tmp_path / "v1.xlsx", tmp_path / "v1.pdf"
    result = run("soa", "export", soa.pk, "--xlsx", frozen, "--pdf", pdf, "--version", 1)
    assert result.exit_code == 0, result.output
    assert load_workbook(io.BytesIO(frozen.read_bytes()))["Lines"]["B4"].value == "Version 1"
    assert pdf.read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("status", 999_999), 1, "No Statement of Applicability with id 999999."),
        (("versions", 999_999), 1, "`pdca soa list` shows the ids."),
        (("list", "--org", "nowhere"), 1, "No organization with the short name 'nowhere'."),
        (("list", "--format", "xml"), 2, "--format must be table or json"),
        (("status", "{soa}", "--format", "xml"), 2, "--format must be table or json"),
        (("export", "{soa}"), 2, "Say where to write"),
        (("export", "{soa}", "--xlsx", "x.xlsx", "--version", 4), 1, "has no version 4."),
        (("export", "{soa}", "--xlsx", "/nonexistent/dir/x.xlsx"), 1, "Cannot write"),
    ],
)
def test_mistakes_are_explained(personas, soa, args, code, says):
    result = run("soa", *(str(a).replace("{soa}", str(soa.pk)) for a in args))
    assert result.exit_code == code, result.output
    assert says in result.output.replace("\n", " ")


def test_the_demo_soas_load_once(personas):
    from pdca.risks.soa import demo as demo_soa
    from pdca.system.demo import base as system_demo
    from pdca.tenancy import demo as tenancy_demo

    context: dict = {}
    tenancy_demo.load(context)
    system_demo.load(context)
    demo_soa.load(context)
    isms, aims = context["soa"], context["ai_soa"]
    result = services.soa_completeness(isms)
    assert (result.total, result.complete, result.excluded) == (93, True, 5)
    version = isms.versions.get()
    assert (version.number, version.approved_by.email) == (1, "ceo@acme.example")
    assert services.changed_since(services.soa_lines(isms), version) == ["A.5.7"]
    assert {"partial", "planned", "implemented", "not_started"} == set(
        isms.lines.values_list("implementation", flat=True)
    )
    assert isms.lines.get(control__number="A.8.25").applicable is False
    assert aims.versions.count() == 0
    assert services.soa_completeness(aims).undecided == 31
    entries = ActivityEntry.objects.count()
    demo_soa.load(context)
    assert ActivityEntry.objects.count() == entries
