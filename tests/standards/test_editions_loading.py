"""Loading editions: a standard's amendments, provisional flags and `replaces` block, and a
transition file's lines, all idempotent; a changed file updates what changed and nothing else.
On two made-up editions (tests/standards/editions_factories.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.standards.models import EditionMapping, Requirement, Standard
from pdca.standards.services import CatalogInvalid, FileReport, load_catalogs
from tests.standards.editions_factories import (
    LINES,
    NEW,
    OLD,
    TRANSITION_FILE,
    load_editions,
    new_catalog,
    transition,
    write,
    write_editions,
)

pytestmark = pytest.mark.usefixtures("catalog")


def lines() -> list[tuple[str | None, str | None, str, str]]:
    return sorted(
        (
            (m.old.number if m.old else None, m.new.number if m.new else None, m.change, m.note)
            for m in EditionMapping.objects.filter(
                old_standard__code=OLD, new_standard__code=NEW
            ).select_related("old", "new")
        ),
        key=str,
    )


def state() -> dict:
    return {
        "standards": list(Standard.objects.filter(code__in=[OLD, NEW]).order_by("pk").values()),
        "requirements": list(
            Requirement.objects.filter(standard__code__in=[OLD, NEW]).order_by("pk").values()
        ),
        "lines": list(EditionMapping.objects.order_by("pk").values()),
    }


def test_loading_sets_the_edition_facts(tmp_path):
    load_editions(tmp_path, provisional=True)
    old, new = Standard.objects.get(code=OLD), Standard.objects.get(code=NEW)
    assert old.amendments == [
        {
            "code": "A1:2024",
            "title": "Climate action changes",
            "published": "2024-02-23",
            "summary": "4.1 asks whether climate change is a relevant issue.",
        }
    ]
    assert (old.edition_label, old.full_name) == ("2015+A1:2024", "Demo EMS:2015+A1:2024")
    assert old.published_on == dt.date(2015, 9, 15)
    assert new.replaces == old
    assert old.successor == new
    assert (new.transition_ends, new.new_certificates_until) == (
        dt.date(2029, 4, 15),
        dt.date(2027, 10, 31),
    )
    assert new.transition_provisional is True
    assert new.transition_note == "Three years from publication; the end date is reported two ways."
    assert (new.provisional, new.provisional_note) == (
        True,
        "Structure not yet checked against the published text.",
    )
    assert list(
        Requirement.objects.filter(standard=new, provisional=True).values_list("number", flat=True)
    ) == ["6.3"]


def test_loading_creates_one_row_per_transition_line(tmp_path):
    load_editions(tmp_path)
    assert lines() == sorted(LINES, key=str)
    assert set(
        EditionMapping.objects.filter(old_standard__code=OLD).values_list("source_file", flat=True)
    ) == {TRANSITION_FILE}


def test_loading_the_same_files_again_changes_nothing(tmp_path):
    paths = load_editions(tmp_path)
    before = state()
    reports = load_catalogs(paths)
    assert reports == [
        FileReport(f"{OLD}.yaml", "standard", OLD, unchanged=16),
        FileReport(f"{NEW}.yaml", "standard", NEW, unchanged=18),
        FileReport(TRANSITION_FILE, "mapping", f"{OLD}--{NEW}", unchanged=20),
    ]
    assert state() == before


def test_a_changed_note_is_updated_in_place(tmp_path):
    paths = load_editions(tmp_path)
    line = EditionMapping.objects.get(old__standard__code=OLD, old__number="4.1")
    changed = [
        (a, b, r, "Climate change and biodiversity." if a == "4.1" else n) for a, b, r, n in LINES
    ]
    write(paths[2], transition(lines=changed))
    reports = load_catalogs(paths)
    assert reports[2] == FileReport(
        TRANSITION_FILE,
        "mapping",
        f"{OLD}--{NEW}",
        updated=1,
        unchanged=19,
        changes=["4.1 -> 4.1: note updated"],
    )
    line.refresh_from_db()
    assert line.note == "Climate change and biodiversity."


def test_a_line_taken_out_of_the_file_is_deleted(tmp_path):
    paths = load_editions(tmp_path)
    # 9.3 is no longer a changed heading: it is only split into 9.3.1 and 9.3.2, and the new
    # 9.3 heading is new.
    changed = [x for x in LINES if x[:2] != ("9.3", "9.3")]
    changed.append((None, "9.3", "new", "A heading over the review's sub-clauses."))
    write(paths[2], transition(lines=changed))
    reports = load_catalogs(paths)
    assert (reports[2].created, reports[2].deleted, reports[2].unchanged) == (1, 1, 19)
    assert reports[2].changes == ["9.3 changed 9.3: deleted"]
    assert lines() == sorted(changed, key=str)


def test_a_replaces_block_taken_out_unlinks_the_editions(tmp_path):
    paths = load_editions(tmp_path)
    data = new_catalog(replaces=False)
    write(paths[1], data)
    reports = load_catalogs(paths[:2])
    new = Standard.objects.get(code=NEW)
    assert new.replaces is None
    assert (new.transition_ends, new.new_certificates_until, new.transition_note) == (
        None,
        None,
        "",
    )
    assert "transition: replaces_id, transition_ends" in reports[1].changes[0]
    assert Standard.objects.get(code=OLD).successor is None


def test_changed_transition_dates_are_updated(tmp_path):
    paths = load_editions(tmp_path)
    data = new_catalog(transition_provisional=False)
    data["standard"]["replaces"]["transition_ends"] = "2029-04-30"
    write(paths[1], data)
    reports = load_catalogs(paths)
    new = Standard.objects.get(code=NEW)
    assert (new.transition_ends, new.transition_provisional) == (dt.date(2029, 4, 30), False)
    assert reports[1].changes == ["transition: transition_ends, transition_provisional updated"]


def test_a_bad_transition_file_loads_nothing_at_all(tmp_path):
    paths = write_editions(tmp_path)
    write(paths[2], transition(lines=LINES[:-1]))
    with pytest.raises(CatalogInvalid) as caught:
        load_catalogs(paths)
    assert sorted(p.message for p in caught.value.problems) == [
        f"requirement 10.1 of {NEW} is not mapped (use new if it is new)",
        f"requirement 10.3 of {OLD} is not mapped (use removed if it went)",
    ]
    assert not Standard.objects.filter(code__in=[OLD, NEW]).exists()
    assert not EditionMapping.objects.filter(source_file=TRANSITION_FILE).exists()
