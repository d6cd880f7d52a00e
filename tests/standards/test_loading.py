"""Loading catalogs into the database: idempotent, all or nothing, and reported.

Changed catalogs are copies of the shipped files, edited in tmp_path under the same file name.
"""

import hashlib
from pathlib import Path

import pytest

from pdca.core.activity import verify_log
from pdca.core.models import ActivityEntry
from pdca.standards import selectors
from pdca.standards.catalog_files import CATALOG_DIR, Problem
from pdca.standards.models import (
    CoreClause,
    Mapping,
    Requirement,
    RequirementGroup,
    Standard,
    number_sort_key,
)
from pdca.standards.services import CatalogInvalid, FileReport, load_catalogs

pytestmark = pytest.mark.usefixtures("catalog")

EMS = "iso14001-2015.yaml"
OHS = "iso45001-2018.yaml"
ISMS = "iso27001-2022.yaml"
MAPPING = "mappings/iso27001-2022--iso42001-2023.yaml"


def shipped(name: str) -> str:
    return (CATALOG_DIR / name).read_text(encoding="utf-8")


def copy(tmp_path: Path, name: str, *edits: tuple[str, str]) -> Path:
    """A copy of a shipped file under its own name, each `old` (found exactly once) replaced."""
    text = shipped(name)
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / Path(name).name
    path.write_text(text, encoding="utf-8")
    return path


def block(name: str, number: str) -> str:
    """The lines of requirement `number` in a shipped file, up to the next requirement."""
    text = shipped(name)
    start = text.index(f'  - number: "{number}"\n')
    end = text.index("  - number: ", start + 1)
    return text[start:end]


def state() -> dict:
    """Every catalog row with every field, to compare before and after."""
    return {
        "core": list(CoreClause.objects.order_by("pk").values()),
        "standards": list(Standard.objects.order_by("pk").values()),
        "groups": list(RequirementGroup.objects.order_by("pk").values()),
        "requirements": list(Requirement.objects.order_by("pk").values()),
        "mappings": list(Mapping.objects.order_by("pk").values()),
    }


def entries() -> list[ActivityEntry]:
    return list(ActivityEntry.objects.order_by("pk"))


def req(code: str, number: str) -> Requirement:
    return Requirement.objects.get(standard__code=code, number=number)


def make_reference_to(requirement: Requirement) -> Requirement:
    """A row of another standard that holds `requirement` through Requirement.parent (PROTECT)."""
    own = Standard.objects.create(
        code="own-framework",
        name="Own framework",
        title="Our own framework",
        edition="1",
        discipline="other",
        structure="other",
    )
    return Requirement.objects.create(
        standard=own,
        number="1",
        title="Builds on a requirement of another standard",
        kind="clause",
        summary="Refers to another standard's requirement.",
        parent=requirement,
        sort_key=number_sort_key("1"),
    )


UNCHANGED = [
    ("harmonized-structure.yaml", "core", "harmonized-structure", 36),
    ("iso14001-2015.yaml", "standard", "iso14001-2015", 45),
    ("iso14001-2026.yaml", "standard", "iso14001-2026", 49),
    ("iso22000-2018.yaml", "standard", "iso22000-2018", 116),
    ("iso22301-2019.yaml", "standard", "iso22301-2019", 76),
    ("iso27001-2022.yaml", "standard", "iso27001-2022", 134),
    ("iso42001-2023.yaml", "standard", "iso42001-2023", 81),
    ("iso45001-2018.yaml", "standard", "iso45001-2018", 56),
    ("iso9001-2015.yaml", "standard", "iso9001-2015", 91),
    ("iso9001-2026.yaml", "standard", "iso9001-2026", 91),
    ("iso14001-2015--iso14001-2026.yaml", "mapping", "iso14001-2015--iso14001-2026", 50),
    ("iso27001-2022--iso42001-2023.yaml", "mapping", "iso27001-2022--iso42001-2023", 24),
    ("iso9001-2015--iso9001-2026.yaml", "mapping", "iso9001-2015--iso9001-2026", 92),
]


# --- idempotence ------------------------------------------------------------------------------


def test_loading_the_shipped_catalogs_again_changes_nothing():
    before, log = state(), entries()
    for _ in range(2):
        reports = load_catalogs()
        assert reports == [
            FileReport(file, kind, code, unchanged=unchanged)
            for file, kind, code, unchanged in UNCHANGED
        ]
        assert not any(r.changed for r in reports)
    assert state() == before
    assert entries() == log


def test_loading_records_where_each_standard_came_from():
    standard = Standard.objects.get(code="iso27001-2022")
    assert standard.source_file == "iso27001-2022.yaml"
    raw = (CATALOG_DIR / "iso27001-2022.yaml").read_bytes()
    assert standard.checksum == hashlib.sha256(raw).hexdigest()
    assert standard.loaded_at is not None


# --- all or nothing ---------------------------------------------------------------------------


def test_a_batch_with_one_bad_file_loads_none_of_its_files(tmp_path):
    good = copy(tmp_path, EMS, ("    title: Planning action\n", "    title: Planning of action\n"))
    title = "    title: Consultation and participation of workers\n"
    bad = copy(tmp_path, OHS, (title, ""))
    line = shipped(OHS).splitlines().index('  - number: "5.4"') + 1
    before, log = state(), entries()

    with pytest.raises(CatalogInvalid) as caught:
        load_catalogs([good, bad])

    assert caught.value.problems == [Problem(str(bad), line, "requirement 5.4: missing title")]
    assert caught.value.code == "catalog_invalid"
    assert caught.value.message == "1 problem(s) in the catalog files; nothing was loaded."
    assert state() == before
    assert req("iso14001-2015", "6.1.4").title == "Planning action"
    assert entries() == log


# --- changes ----------------------------------------------------------------------------------


def test_a_changed_title_and_summary_are_updated_and_reported(tmp_path):
    summary = block(EMS, "6.1.4").split("    summary: >-\n")[1]
    path = copy(
        tmp_path,
        EMS,
        ("    title: Planning action\n", "    title: Planning of actions\n"),
        (summary, "      Decide how to act on aspects, obligations, risks and opportunities.\n"),
    )
    other_rows = [r for r in state()["requirements"] if r["number"] != "6.1.4"]
    loaded_at = Standard.objects.get(code="iso14001-2015").loaded_at

    reports = load_catalogs([path])

    assert reports == [
        FileReport(
            EMS,
            "standard",
            "iso14001-2015",
            updated=1,
            unchanged=44,
            changes=["6.1.4: title, summary updated"],
        )
    ]
    changed = req("iso14001-2015", "6.1.4")
    assert changed.title == "Planning of actions"
    assert changed.summary == (
        "Decide how to act on aspects, obligations, risks and opportunities."
    )
    assert [r for r in state()["requirements"] if r["number"] != "6.1.4"] == other_rows
    standard = Standard.objects.get(code="iso14001-2015")
    assert standard.checksum == hashlib.sha256(path.read_bytes()).hexdigest()
    assert standard.loaded_at > loaded_at


def test_a_changed_group_title_is_updated_and_reported(tmp_path):
    # Regression: a group's new title was saved but neither reported nor logged.
    path = copy(tmp_path, ISMS, ("    title: People controls\n", "    title: People\n"))
    log = entries()

    reports = load_catalogs([path])

    assert reports == [
        FileReport(
            ISMS,
            "standard",
            "iso27001-2022",
            updated=1,
            unchanged=134,
            changes=["group A.6: title updated"],
        )
    ]
    assert RequirementGroup.objects.get(standard__code="iso27001-2022", code="A.6").title == (
        "People"
    )
    assert len(entries()) == len(log) + 1


def test_a_requirement_removed_from_the_file_is_deleted_when_nothing_refers_to_it(tmp_path):
    path = copy(tmp_path, EMS, (block(EMS, "6.1.4"), ""))

    reports = load_catalogs([path])

    assert reports == [
        FileReport(
            EMS, "standard", "iso14001-2015", unchanged=44, deleted=1, changes=["6.1.4: deleted"]
        )
    ]
    assert not Requirement.objects.filter(standard__code="iso14001-2015", number="6.1.4").exists()
    assert Requirement.objects.filter(standard__code="iso14001-2015").count() == 44


def test_a_removed_requirement_still_referred_to_is_kept_as_retired(tmp_path):
    make_reference_to(req("iso14001-2015", "6.1.4"))
    path = copy(tmp_path, EMS, (block(EMS, "6.1.4"), ""))

    reports = load_catalogs([path])

    assert reports == [
        FileReport(
            EMS,
            "standard",
            "iso14001-2015",
            unchanged=44,
            retired=1,
            changes=["6.1.4: kept as retired (still referred to)"],
        )
    ]
    kept = req("iso14001-2015", "6.1.4")
    assert kept.retired is True
    assert kept.title == "Planning action"

    # Loading the same file again leaves the retired row alone and reports nothing.
    before = state()
    assert load_catalogs([path]) == [FileReport(EMS, "standard", "iso14001-2015", unchanged=44)]
    assert state() == before

    # Back in the file, it is in service again.
    assert load_catalogs([CATALOG_DIR / EMS]) == [
        FileReport(
            EMS,
            "standard",
            "iso14001-2015",
            updated=1,
            unchanged=44,
            changes=["6.1.4: retired updated"],
        )
    ]
    assert req("iso14001-2015", "6.1.4").retired is False


def test_a_removed_branch_deletes_what_it_can_and_retires_the_referred_leaf_and_its_parents(
    tmp_path,
):
    make_reference_to(req("iso14001-2015", "6.1.4"))
    branch = "".join(block(EMS, n) for n in ["6.1", "6.1.1", "6.1.2", "6.1.3", "6.1.4"])
    path = copy(tmp_path, EMS, (branch, ""))

    reports = load_catalogs([path])

    assert reports == [
        FileReport(
            EMS,
            "standard",
            "iso14001-2015",
            unchanged=40,
            deleted=3,
            retired=2,
            changes=[
                "6.1.1: deleted",
                "6.1.2: deleted",
                "6.1.3: deleted",
                "6.1.4: kept as retired (still referred to)",
                "6.1: kept as retired (still referred to)",
            ],
        )
    ]
    left = Requirement.objects.filter(standard__code="iso14001-2015", number__startswith="6.1")
    assert sorted(left.values_list("number", "retired")) == [("6.1", True), ("6.1.4", True)]


def test_a_new_edition_is_a_new_standard_next_to_the_old(tmp_path):
    # (2035: the shipped catalog already has ISO 14001:2026)
    path = tmp_path / "iso14001-2035.yaml"
    path.write_text(
        shipped(EMS)
        .replace("  code: iso14001-2015\n", "  code: iso14001-2035\n")
        .replace('  edition: "2015"\n', '  edition: "2035"\n'),
        encoding="utf-8",
    )
    old = state()["requirements"]
    count = Standard.objects.count()

    reports = load_catalogs([path])

    assert reports == [FileReport("iso14001-2035.yaml", "standard", "iso14001-2035", created=45)]
    assert Standard.objects.count() == count + 1
    assert Standard.objects.get(code="iso14001-2035").edition == "2035"
    assert [r for r in state()["requirements"] if r["id"] in {o["id"] for o in old}] == old
    assert Requirement.objects.filter(standard__code="iso14001-2035").count() == 45
    # The new edition sits on the same core clauses, so it links to the old one.
    linked = {
        (link.requirement.standard.code, link.requirement.number)
        for link in selectors.links_of(req("iso14001-2015", "7.2"))
    }
    assert ("iso14001-2035", "7.2") in linked


def test_a_mapping_file_reloaded_without_a_pair_deletes_that_pair(tmp_path):
    text = shipped(MAPPING)
    start = text.index("  - source: A.8.6\n")
    pair = text[start : text.index("  - source: ", start + 1)]
    path = copy(tmp_path, MAPPING, (pair, ""))
    source = req("iso27001-2022", "A.8.6")

    reports = load_catalogs([path])

    assert reports == [
        FileReport(
            "iso27001-2022--iso42001-2023.yaml",
            "mapping",
            "iso27001-2022--iso42001-2023",
            unchanged=23,
            deleted=1,
            changes=["A.8.6 -> A.4.5: deleted"],
        )
    ]
    assert Mapping.objects.count() == 23
    assert not Mapping.objects.filter(source=source).exists()
    assert [link.via for link in selectors.links_of(source)] == []


def test_loading_a_standard_into_an_empty_database_brings_the_core_along():
    # Regression: without core clauses in the database the loader failed with a KeyError.
    Mapping.objects.all().delete()
    Requirement.objects.update(parent=None)
    Requirement.objects.all().delete()
    Standard.objects.all().delete()
    CoreClause.objects.all().delete()

    reports = load_catalogs([CATALOG_DIR / EMS])

    assert reports == [
        FileReport("harmonized-structure.yaml", "core", "harmonized-structure", created=36),
        FileReport(EMS, "standard", "iso14001-2015", created=45),
    ]
    assert CoreClause.objects.count() == 36
    assert req("iso14001-2015", "7.2").core.number == "7.2"


# --- the activity log -------------------------------------------------------------------------


def test_loading_records_one_activity_entry_per_changed_standard_on_the_platform_chain(tmp_path):
    ems = copy(tmp_path, EMS, ("    title: Planning action\n", "    title: Planning of action\n"))
    ohs = copy(tmp_path, OHS, (block(OHS, "5.4"), ""))
    log = entries()

    load_catalogs([ems, ohs, CATALOG_DIR / "iso9001-2015.yaml", CATALOG_DIR / MAPPING])

    new = entries()[len(log) :]
    assert [(e.chain, e.action, e.object_type, e.object_id, e.via, e.actor_id) for e in new] == [
        (
            "platform",
            "load",
            "standards.standard",
            str(Standard.objects.get(code=code).pk),
            "system",
            None,
        )
        for code in ("iso14001-2015", "iso45001-2018")
    ]
    assert [e.message for e in new] == [
        "iso14001-2015.yaml: 0 created, 1 updated, 0 deleted, 0 retired",
        "iso45001-2018.yaml: 0 created, 0 updated, 1 deleted, 0 retired",
    ]
    assert verify_log(["platform"]).ok


def test_loading_without_a_change_records_no_activity(tmp_path):
    log = entries()
    load_catalogs([copy(tmp_path, EMS), copy(tmp_path, MAPPING)])
    assert entries() == log
