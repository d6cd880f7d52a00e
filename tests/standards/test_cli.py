"""`pdca standards list|show|validate|load`, run in-process with typer's CliRunner."""

import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from pdca.cli import app
from pdca.core.models import ActivityEntry
from pdca.standards import cli as standards_cli
from pdca.standards.catalog_files import CATALOG_DIR
from pdca.standards.models import Mapping, Requirement, RequirementGroup, Standard

pytestmark = pytest.mark.usefixtures("catalog")

EMS = "iso14001-2015.yaml"


def run(*args: str):
    return CliRunner().invoke(app, list(args), prog_name="pdca")


def terminal(monkeypatch, width: int) -> None:
    """Print to a terminal of `width` columns (under xdist COLUMNS is fixed at 80 on import)."""
    monkeypatch.setattr(standards_cli, "console", Console(width=width))


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    # Wide enough that rich neither wraps nor shortens table cells.
    terminal(monkeypatch, 200)


def table_rows(output: str) -> list[list[str]]:
    """The body cells of a rich table, row by row."""
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in output.splitlines()
        if line.startswith("│")
    ]


def state() -> dict:
    return {
        "standards": list(Standard.objects.order_by("pk").values()),
        "groups": list(RequirementGroup.objects.order_by("pk").values()),
        "requirements": list(Requirement.objects.order_by("pk").values()),
        "mappings": list(Mapping.objects.order_by("pk").values()),
        "activity": ActivityEntry.objects.count(),
    }


def bad_copy(tmp_path: Path) -> tuple[Path, str]:
    """14001 without the title of 6.1.4 and with a core id outside the Harmonized Structure."""
    text = (
        (CATALOG_DIR / EMS)
        .read_text(encoding="utf-8")
        .replace("    title: Planning action\n", "")
        .replace('    core: "7.3"\n', '    core: "7.9"\n')
    )
    path = tmp_path / EMS
    path.write_text(text, encoding="utf-8")
    return path, text


NUMBER_614 = '  - number: "6.1.4"'
CORE_79 = '    core: "7.9"'


def line_of(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


STANDARDS = [
    ("iso14001-2015", "ISO 14001", "2015", "environment", "Environment", 45, 0),
    ("iso14001-2026", "ISO 14001", "2026", "environment", "Environment", 49, 0),
    ("iso22000-2018", "ISO 22000", "2018", "food_safety", "Food safety", 116, 0),
    ("iso22301-2019", "ISO 22301", "2019", "business_continuity", "Business continuity", 76, 0),
    ("iso45001-2018", "ISO 45001", "2018", "ohs", "Occupational health and safety", 56, 0),
    ("iso9001-2015", "ISO 9001", "2015", "quality", "Quality", 91, 0),
    ("iso9001-2026", "ISO 9001", "2026", "quality", "Quality", 91, 0),
    (
        "iso27001-2022",
        "ISO/IEC 27001",
        "2022",
        "information_security",
        "Information security",
        41,
        93,
    ),
    ("iso42001-2023", "ISO/IEC 42001", "2023", "ai", "Artificial intelligence", 43, 38),
]
#: code: (edition label, provisional, replaces, replaced by, transition ends of the successor)
EDITIONS = {
    "iso14001-2015": ("2015+A1:2024", False, None, "iso14001-2026", "2029-04-15"),
    "iso14001-2026": ("2026", False, "iso14001-2015", None, None),
    "iso22000-2018": ("2018+A1:2024", False, None, None, None),
    "iso22301-2019": ("2019+A1:2024", False, None, None, None),
    "iso45001-2018": ("2018+A1:2024", False, None, None, None),
    "iso9001-2015": ("2015+A1:2024", False, None, "iso9001-2026", "2029-09-16"),
    "iso9001-2026": ("2026", True, "iso9001-2015", None, None),
    "iso27001-2022": ("2022+A1:2024", False, None, None, None),
    "iso42001-2023": ("2023", False, None, None, None),
}


def editions_cell(code: str) -> str:
    _, _, replaces, replaced_by, ends = EDITIONS[code]
    if replaced_by:
        return f"replaced by {replaced_by} (transition ends {ends}, provisional)"
    return f"replaces {replaces}" if replaces else ""


# --- help -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("list", "--format"),
        ("show", "Standard code, e.g. iso27001-2022"),
        ("validate", "Catalog files to check"),
        ("load", "Catalog files (default: all shipped)"),
    ],
)
def test_every_standards_subcommand_has_help(command, says):
    result = run("standards", command, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: pdca standards {command} [OPTIONS]" in result.stdout
    assert says in result.stdout


def test_the_standards_help_lists_every_subcommand():
    result = run("standards", "--help")
    assert result.exit_code == 0
    commands = re.findall(r"^│ (\w+) ", result.stdout, re.M)
    assert commands == ["list", "show", "diff", "validate", "load"]


# --- list -------------------------------------------------------------------------------------


def test_list_shows_every_standard_with_its_counts():
    result = run("standards", "list")
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [
        [
            code,
            f"{name}:{EDITIONS[code][0]}" + (" (provisional)" if EDITIONS[code][1] else ""),
            str(clauses),
            str(controls),
            label,
            editions_cell(code),
        ]
        for code, name, _, _, label, clauses, controls in STANDARDS
    ]
    assert result.stderr == ""


def test_list_as_json_gives_every_standard_with_its_counts():
    result = run("standards", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {
            "code": code,
            "name": name,
            "edition": edition,
            "edition_label": EDITIONS[code][0],
            "full_name": f"{name}:{EDITIONS[code][0]}",
            "title": Standard.objects.get(code=code).title,
            "discipline": discipline,
            "provisional": EDITIONS[code][1],
            "replaces": EDITIONS[code][2],
            "replaced_by": EDITIONS[code][3],
            "replaced_by_transition_ends": EDITIONS[code][4],
            "replaced_by_transition_provisional": EDITIONS[code][3] is not None,
            "clauses": clauses,
            "controls": controls,
        }
        for code, name, edition, discipline, _, clauses, controls in STANDARDS
    ]


def test_list_on_an_empty_catalog_says_how_to_load_one():
    Mapping.objects.all().delete()
    Requirement.objects.update(parent=None)
    Requirement.objects.all().delete()
    Standard.objects.all().delete()
    result = run("standards", "list")
    assert result.exit_code == 0
    assert table_rows(result.stdout) == []
    assert result.stderr == "No standards loaded: run `pdca standards load`.\n"


# --- show -------------------------------------------------------------------------------------


def test_show_prints_the_clause_tree_then_the_annex_groups():
    result = run("standards", "show", "iso27001-2022")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "ISO/IEC 27001:2022+A1:2024 Information security, cybersecurity and privacy protection — "
        "Information security management systems — Requirements"
    )
    shown = re.findall(r"[├└]── (\S+) ", result.stdout)
    clauses = Requirement.objects.filter(standard__code="iso27001-2022", kind="clause")
    expected = list(clauses.order_by("sort_key").values_list("number", flat=True))
    for group in ("A.5", "A.6", "A.7", "A.8"):
        controls = Requirement.objects.filter(standard__code="iso27001-2022", group__code=group)
        expected += [group, *controls.order_by("sort_key").values_list("number", flat=True)]
    assert shown == expected
    assert len(shown) == 41 + 4 + 93
    assert "│   ├── A.5.23 Information security for use of cloud services" in lines
    assert "│   │   └── 6.1.3 Information security risk treatment ◆ documented information" in lines


def test_show_as_json_gives_every_field_of_every_requirement():
    result = run("standards", "show", "iso27001-2022", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    standard = Standard.objects.get(code="iso27001-2022")
    assert {k: v for k, v in data.items() if k not in {"groups", "requirements"}} == {
        "code": "iso27001-2022",
        "name": "ISO/IEC 27001",
        "title": standard.title,
        "edition": "2022",
        "edition_label": "2022+A1:2024",
        "full_name": "ISO/IEC 27001:2022+A1:2024",
        "amendments": standard.amendments,
        "published_on": None,
        "provisional": False,
        "provisional_note": "",
        "replaces": None,
        "replaced_by": None,
        "publisher": "ISO/IEC",
        "discipline": "information_security",
        "structure": "hs-2021",
        "summary": standard.summary,
    }
    assert [(g["id"], g["title"]) for g in data["groups"]] == [
        ("A.5", "Organizational controls"),
        ("A.6", "People controls"),
        ("A.7", "Physical controls"),
        ("A.8", "Technological controls"),
    ]
    assert len(data["requirements"]) == 134
    rows = Requirement.objects.filter(standard=standard).select_related("parent", "group", "core")
    assert data["requirements"] == [
        {
            "number": r.number,
            "title": r.title,
            "untitled": r.untitled,
            "kind": r.kind,
            "parent": r.parent.number if r.parent else None,
            "group": r.group.code if r.group else None,
            "core": r.core.number if r.core else None,
            "summary": r.summary,
            "adds": r.adds,
            "documented_information": r.documented_information,
            "retired": r.retired,
            "provisional": r.provisional,
        }
        # Reading order: clauses 4 to 10, then the Annex controls.
        for r in sorted(rows, key=lambda r: (r.kind != "clause", r.sort_key))
    ]
    soa = next(r for r in data["requirements"] if r["number"] == "6.1.3")
    assert soa["parent"] == "6.1"
    assert {"type": "maintain", "what": "Statement of Applicability"} in soa[
        "documented_information"
    ]
    control = next(r for r in data["requirements"] if r["number"] == "A.5.23")
    assert (control["kind"], control["group"], control["core"], control["parent"]) == (
        "control",
        "A.5",
        None,
        None,
    )


def test_show_of_an_unknown_standard_exits_1():
    result = run("standards", "show", "iso99999-2030")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        "No standard 'iso99999-2030'. `pdca standards list` shows the loaded ones.\n"
    )


@pytest.mark.parametrize("command", [("list",), ("show", "iso27001-2022")])
def test_an_unknown_format_exits_2(command):
    result = run("standards", *command, "--format", "xml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "--format must be table or json, not 'xml'.\n"


# --- validate ---------------------------------------------------------------------------------


def test_validate_of_good_files_exits_0():
    result = run("standards", "validate", str(CATALOG_DIR / EMS))
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 1 file(s) valid.\n"


def test_validate_of_every_shipped_file_exits_0():
    paths = [str(p) for p in sorted(CATALOG_DIR.glob("**/*.yaml"))]
    result = run("standards", "validate", *paths)
    assert result.exit_code == 0, result.output
    assert result.stdout == "OK: 13 file(s) valid.\n"


def test_validate_of_a_bad_file_prints_each_problem_as_file_line_message_and_exits_1(tmp_path):
    path, text = bad_copy(tmp_path)
    result = run("standards", "validate", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:{line_of(text, NUMBER_614)}: requirement 6.1.4: missing title",
        f"{path}:{line_of(text, CORE_79)}: "
        "requirement 7.3: bad core id '7.9': not a Harmonized Structure clause",
    ]
    assert result.stderr == "2 problem(s) in 1 file(s).\n"


# --- load -------------------------------------------------------------------------------------


def test_load_of_a_bad_file_exits_1_and_loads_nothing(tmp_path):
    path, text = bad_copy(tmp_path)
    text = text.replace("    title: Compliance obligations\n", "    title: Duties\n")
    path.write_text(text, encoding="utf-8")
    before = state()
    result = run("standards", "load", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:{line_of(text, NUMBER_614)}: requirement 6.1.4: missing title",
        f"{path}:{line_of(text, CORE_79)}: "
        "requirement 7.3: bad core id '7.9': not a Harmonized Structure clause",
    ]
    assert result.stderr == "2 problem(s) in the catalog files; nothing was loaded.\n"
    assert state() == before
    assert Requirement.objects.get(standard__code="iso14001-2015", number="6.1.3").title == (
        "Compliance obligations"
    )


def test_load_of_the_shipped_catalogs_is_idempotent_and_prints_the_report():
    before = state()
    for _ in range(2):
        result = run("standards", "load")
        assert result.exit_code == 0, result.output
        assert table_rows(result.stdout) == [
            [file, "0", "0", str(unchanged), "0", "0"]
            for file, unchanged in [
                ("harmonized-structure.yaml", 36),
                ("iso14001-2015.yaml", 45),
                ("iso14001-2026.yaml", 49),
                ("iso22000-2018.yaml", 116),
                ("iso22301-2019.yaml", 76),
                ("iso27001-2022.yaml", 134),
                ("iso42001-2023.yaml", 81),
                ("iso45001-2018.yaml", 56),
                ("iso9001-2015.yaml", 91),
                ("iso9001-2026.yaml", 91),
                ("iso14001-2015--iso14001-2026.yaml", 50),
                ("iso27001-2022--iso42001-2023.yaml", 24),
                ("iso9001-2015--iso9001-2026.yaml", 92),
            ]
        ]
        assert "Catalogs loaded" in result.stdout
        assert not re.findall(r"^  [a-z0-9-]+: ", result.stdout, re.M)  # no change lines
    assert state() == before


def test_load_of_a_changed_file_prints_the_change_and_logs_it_as_coming_from_the_cli(tmp_path):
    text = (CATALOG_DIR / EMS).read_text(encoding="utf-8")
    path = tmp_path / EMS
    path.write_text(text.replace("    title: Planning action\n", "    title: Planning of action\n"))
    result = run("standards", "load", str(path))
    assert result.exit_code == 0, result.output
    assert table_rows(result.stdout) == [[EMS, "0", "1", "44", "0", "0"]]
    assert result.stdout.endswith("\n  iso14001-2015: 6.1.4: title updated\n")
    entry = ActivityEntry.objects.latest("pk")
    assert (entry.via, entry.action, entry.object_id) == (
        "cli",
        "load",
        str(Standard.objects.get(code="iso14001-2015").pk),
    )


def test_the_load_report_keeps_whole_file_names_on_a_narrow_terminal(monkeypatch):
    terminal(monkeypatch, 80)
    result = run("standards", "load")
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    files: list[str] = []
    for row in table_rows(result.stdout):
        if any(row[1:]):
            files.append(row[0])
        else:  # the rest of a folded name
            files[-1] += row[0]
    assert files == [
        "harmonized-structure.yaml",
        "iso14001-2015.yaml",
        "iso14001-2026.yaml",
        "iso22000-2018.yaml",
        "iso22301-2019.yaml",
        "iso27001-2022.yaml",
        "iso42001-2023.yaml",
        "iso45001-2018.yaml",
        "iso9001-2015.yaml",
        "iso9001-2026.yaml",
        "iso14001-2015--iso14001-2026.yaml",
        "iso27001-2022--iso42001-2023.yaml",
        "iso9001-2015--iso9001-2026.yaml",
    ]
