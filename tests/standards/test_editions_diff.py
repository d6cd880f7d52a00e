"""The comparison of two editions (`pdca.standards.editions.selectors`), on two made-up
editions whose transition uses every kind of change (tests/standards/editions_factories.py)."""

import pytest

from pdca.core.exceptions import NotFound
from pdca.core.testing import count_queries
from pdca.standards.editions import selectors as editions
from pdca.standards.models import Requirement, Standard
from tests.standards.editions_factories import COUNTS, LINES, NEW, OLD, load_editions

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def loaded(tmp_path):
    load_editions(tmp_path)


def pairs(lines) -> list[tuple[str | None, str, str | None]]:
    return [
        (line.old.number if line.old else None, line.change, line.new.number if line.new else None)
        for line in lines
    ]


def test_the_diff_lists_every_line_in_the_new_editions_order(loaded):
    diff = editions.diff_by_codes(OLD, NEW)
    assert pairs(diff.lines) == [
        ("4", "same", "4"),
        ("4.1", "changed", "4.1"),
        ("4.2", "same", "4.2"),
        ("6", "same", "6"),
        ("6.1", "same", "6.1"),
        ("6.1.1", "changed", "6.1.1"),
        (None, "new", "6.1.4"),
        ("6.1.4", "moved", "6.1.5"),
        (None, "new", "6.3"),
        ("8", "same", "8"),
        ("8.1", "merged", "8.1"),
        ("8.2", "merged", "8.1"),
        ("9", "same", "9"),
        ("9.3", "changed", "9.3"),
        ("9.3", "split", "9.3.1"),
        ("9.3", "split", "9.3.2"),
        ("10", "same", "10"),
        ("10.3", "moved", "10.1"),
        ("10.1", "removed", None),
        ("10.2", "same", "10.2"),
    ]
    assert diff.counts == COUNTS
    assert list(diff.counts) == editions.CHANGE_ORDER
    assert diff.total == len(LINES) == 20


def test_each_line_carries_our_note(loaded):
    diff = editions.diff_by_codes(OLD, NEW)
    notes = {(s, t): note for s, t, _, note in LINES}
    for line in diff.lines:
        key = (line.old.number if line.old else None, line.new.number if line.new else None)
        assert line.note == notes[key]


def test_whats_new_is_the_new_changed_and_split_requirements(loaded):
    diff = editions.diff_by_codes(OLD, NEW)
    assert pairs(diff.whats_new) == [
        ("4.1", "changed", "4.1"),
        ("6.1.1", "changed", "6.1.1"),
        (None, "new", "6.1.4"),
        (None, "new", "6.3"),
        ("9.3", "changed", "9.3"),
        ("9.3", "split", "9.3.1"),
        ("9.3", "split", "9.3.2"),
    ]
    assert all(line.needs_work for line in diff.whats_new)
    assert pairs(diff.removed) == [("10.1", "removed", None)]


def test_only_keeps_the_chosen_changes_and_all_without_a_choice(loaded):
    diff = editions.diff_by_codes(OLD, NEW)
    assert pairs(diff.only(["removed", "moved"])) == [
        ("6.1.4", "moved", "6.1.5"),
        ("10.3", "moved", "10.1"),
        ("10.1", "removed", None),
    ]
    assert diff.only([]) == diff.lines


def test_targets_and_sources_say_what_became_of_each_requirement(loaded):
    diff = editions.diff_by_codes(OLD, NEW)
    old_93 = Requirement.objects.get(standard__code=OLD, number="9.3")
    new_81 = Requirement.objects.get(standard__code=NEW, number="8.1")
    assert [line.new.number for line in diff.targets_of()[old_93.pk]] == ["9.3", "9.3.1", "9.3.2"]
    assert [line.old.number for line in diff.sources_of()[new_81.pk]] == ["8.1", "8.2"]


def test_the_summary_bar_shares_add_up_to_the_whole(loaded):
    diff = editions.diff_by_codes(OLD, NEW)
    shares = diff.shares()
    assert [(c, n) for c, n, _ in shares] == [(c, n) for c, n in COUNTS.items()]
    assert dict((c, p) for c, _, p in shares)["same"] == 40.0
    assert sum(p for _, _, p in shares) == pytest.approx(100)


def test_a_provisional_requirement_makes_the_diff_provisional(tmp_path):
    load_editions(tmp_path, transition_provisional=False)
    diff = editions.diff_by_codes(OLD, NEW)
    assert [line.new.number for line in diff.provisional_lines] == ["6.3"]
    assert diff.provisional is True
    Requirement.objects.filter(standard__code=NEW, number="6.3").update(provisional=False)
    assert editions.diff_by_codes(OLD, NEW).provisional is False


@pytest.mark.parametrize(
    ("field", "value"),
    [("provisional", True), ("transition_provisional", True)],
)
def test_a_provisional_edition_or_transition_makes_the_diff_provisional(tmp_path, field, value):
    load_editions(tmp_path, transition_provisional=False)
    Requirement.objects.filter(standard__code=NEW).update(provisional=False)
    assert editions.diff_by_codes(OLD, NEW).provisional is False
    Standard.objects.filter(code=NEW).update(**{field: value})
    assert editions.diff_by_codes(OLD, NEW).provisional is True


def test_the_transition_is_the_new_edition_when_it_replaces_the_old(loaded):
    diff = editions.diff_by_codes(OLD, NEW)
    assert diff.transition == diff.new
    assert diff.transition.transition_ends.isoformat() == "2029-04-15"
    assert diff.transition.new_certificates_until.isoformat() == "2027-10-31"


def test_an_unknown_code_is_not_found_and_names_the_list_command(loaded):
    with pytest.raises(NotFound) as caught:
        editions.diff_by_codes(OLD, "demo-ems-2099")
    assert caught.value.message == (
        "No standard 'demo-ems-2099' in the catalog (`pdca standards list`)."
    )


def test_two_editions_without_a_transition_are_not_found(loaded):
    with pytest.raises(NotFound) as caught:
        editions.diff_by_codes(NEW, OLD)
    assert caught.value.message == (
        "The catalog has no transition from Demo EMS:2026 to Demo EMS:2015+A1:2024."
    )


def test_the_diff_costs_three_queries_at_any_size(tmp_path):
    load_editions(tmp_path / "small")
    small, _ = count_queries(lambda: editions.diff_by_codes(OLD, NEW).lines)
    load_editions(tmp_path / "large", extra=60)
    large, diff = count_queries(lambda: editions.diff_by_codes(OLD, NEW))
    assert diff.total == len(LINES) + 61
    assert small == large == 3


def test_parse_changes_reads_repeated_and_comma_separated_values():
    assert editions.parse_changes(["changed,new", " removed ", "NEW"]) == (
        ["new", "changed", "removed"],
        [],
    )
    assert editions.parse_changes(["new,later", "gone"]) == (["new"], ["gone", "later"])
    assert editions.parse_changes([]) == ([], [])


def test_editions_around_a_standard_know_both_neighbours_and_their_transitions(loaded):
    old = editions.standard_by_code(OLD)
    new = editions.standard_by_code(NEW)
    around_old = editions.editions_around(old)
    assert (around_old.previous, around_old.successor) == (None, new)
    assert (around_old.compare_previous, around_old.compare_successor) == (False, True)
    around_new = editions.editions_around(new)
    assert (around_new.previous, around_new.successor) == (old, None)
    assert (around_new.compare_previous, around_new.compare_successor) == (True, False)
    assert [s.code for s in editions.editions_of(new)] == [OLD, NEW]


def test_editions_without_a_transition_file_cannot_be_compared(tmp_path):
    load_editions(tmp_path, with_transition=False)
    around = editions.editions_around(editions.standard_by_code(OLD))
    assert around.successor.code == NEW
    assert around.compare_successor is False


def test_a_requirement_knows_where_it_came_from_and_what_became_of_it(loaded):
    old_93 = Requirement.objects.get(standard__code=OLD, number="9.3")
    assert [
        (link.direction, link.standard.code, link.change, link.requirement.number)
        for link in editions.requirement_editions(old_93)
    ] == [
        ("next", NEW, "changed", "9.3"),
        ("next", NEW, "split", "9.3.1"),
        ("next", NEW, "split", "9.3.2"),
    ]
    new_614 = Requirement.objects.get(standard__code=NEW, number="6.1.4")
    (link,) = editions.requirement_editions(new_614)
    assert (link.direction, link.change, link.requirement) == ("previous", "new", None)
    assert link.note == "Risks and opportunities get a clause of their own."
    assert (
        editions.requirement_editions(Requirement.objects.get(standard__code=OLD, number="4"))[
            0
        ].change_label
        == "Same"
    )
