"""The scoring rules: pure functions over a method, checked exhaustively on small scales."""

from __future__ import annotations

import itertools

import pytest

from pdca.risks import scoring
from pdca.risks.models import RiskMethod


def method(rule="product", n_likelihood=5, n_impact=5, threshold=6, bands=None) -> RiskMethod:
    return RiskMethod(
        likelihood_labels=[f"L{i}" for i in range(1, n_likelihood + 1)],
        impact_labels=[f"I{i}" for i in range(1, n_impact + 1)],
        score_rule=rule,
        acceptance_threshold=threshold,
        bands=bands
        if bands is not None
        else [
            {"up_to": 4, "label": "Low", "colour": "#2e7d32"},
            {"up_to": 9, "label": "Medium", "colour": "#f9a825"},
            {"up_to": 16, "label": "High", "colour": "#ef6c00"},
            {"up_to": 25, "label": "Critical", "colour": "#c62828"},
        ],
    )


EXPECTED = {"product": lambda a, b: a * b, "sum": lambda a, b: a + b, "max": max}


@pytest.mark.parametrize("rule", ["product", "sum", "max"])
def test_score_of_every_pair_on_a_10_by_10_grid(rule):
    for likelihood, impact in itertools.product(range(1, 11), repeat=2):
        assert scoring.score(rule, likelihood, impact) == EXPECTED[rule](likelihood, impact)


def test_score_examples():
    assert scoring.score("product", 3, 4) == 12
    assert scoring.score("sum", 3, 4) == 7
    assert scoring.score("max", 3, 4) == 4
    assert scoring.score("max", 5, 1) == 5


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown score rule 'avg'"):
        scoring.score("avg", 1, 1)


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected"),
    [(None, None, None), (3, None, None), (None, 2, None), (3, 2, 6), (1, 1, 1), (5, 5, 25)],
)
def test_score_for_is_none_until_both_are_rated(likelihood, impact, expected):
    assert scoring.score_for(method(), likelihood, impact) == expected


@pytest.mark.parametrize(
    ("rule", "n_likelihood", "n_impact", "expected"),
    [
        ("product", 5, 5, 25),
        ("product", 3, 4, 12),
        ("sum", 5, 5, 10),
        ("sum", 2, 10, 12),
        ("max", 4, 6, 6),
        ("max", 10, 2, 10),
    ],
)
def test_max_score(rule, n_likelihood, n_impact, expected):
    assert scoring.max_score(method(rule, n_likelihood, n_impact)) == expected


def test_band_for_every_score_of_the_default_bands():
    m = method()
    expected = {**dict.fromkeys(range(1, 5), "Low"), **dict.fromkeys(range(5, 10), "Medium")}
    expected |= dict.fromkeys(range(10, 17), "High") | dict.fromkeys(range(17, 26), "Critical")
    for value in range(1, 26):
        assert scoring.band_for(m, value)["label"] == expected[value], value


def test_band_for_no_score_or_a_score_past_every_band():
    m = method(bands=[{"up_to": 3, "label": "Low", "colour": "#00ff00"}])
    assert scoring.band_for(m, None) is None
    assert scoring.band_for(m, 3)["label"] == "Low"
    assert scoring.band_for(m, 4) is None


@pytest.mark.parametrize(
    ("value", "acceptable"), [(None, False), (1, True), (5, True), (6, True), (7, False)]
)
def test_is_acceptable_up_to_the_threshold(value, acceptable):
    assert scoring.is_acceptable(method(threshold=6), value) is acceptable


def test_text_colour_picks_the_readable_one():
    assert scoring.text_colour("#ffffff") == "#000000"
    assert scoring.text_colour("#000000") == "#ffffff"
    assert scoring.text_colour("#f9a825") == "#000000"  # amber
    assert scoring.text_colour("#c62828") == "#ffffff"  # red
    assert scoring.text_colour("nonsense") == "#000000"


def test_level_label():
    labels = ["Rare", "Likely"]
    assert scoring.level_label(labels, None) == ""
    assert scoring.level_label(labels, 2) == "2 Likely"
    assert scoring.level_label(labels, 3) == "3"


def test_chip():
    chip = scoring.chip(method(), 12)
    assert (chip.score, chip.band, chip.colour, chip.acceptable) == (12, "High", "#ef6c00", False)
    empty = scoring.chip(method(), None)
    assert (empty.score, empty.band, empty.colour) == (None, "", scoring.NO_BAND_COLOUR)


def test_heat_map_grid_rows_run_from_the_highest_likelihood_down():
    grid = scoring.heat_map(method(n_likelihood=3, n_impact=4), [])
    assert [row.likelihood for row in grid.rows] == [3, 2, 1]
    assert [row.label for row in grid.rows] == ["L3", "L2", "L1"]
    assert [[c.impact for c in row.cells] for row in grid.rows] == [[1, 2, 3, 4]] * 3
    assert [[c.score for c in row.cells] for row in grid.rows] == [
        [3, 6, 9, 12],
        [2, 4, 6, 8],
        [1, 2, 3, 4],
    ]
    assert grid.impact_labels == [(1, "I1"), (2, "I2"), (3, "I3"), (4, "I4")]
    assert (grid.total, grid.unrated, grid.off_scale, grid.rated) == (0, 0, 0, 0)


def test_heat_map_counts_pairs_and_keeps_the_unrated_and_off_scale_apart():
    pairs = [(5, 5), (5, 5), (1, 1), (3, 2), (None, 2), (None, None), (6, 1), (2, 9)]
    grid = scoring.heat_map(method(), pairs)
    counts = {(c.likelihood, c.impact): c.count for row in grid.rows for c in row.cells}
    assert counts[(5, 5)] == 2
    assert counts[(1, 1)] == 1
    assert counts[(3, 2)] == 1
    assert sum(counts.values()) == 4
    assert (grid.total, grid.rated, grid.unrated, grid.off_scale) == (8, 4, 2, 2)
    top_right = grid.rows[0].cells[-1]
    assert (top_right.score, top_right.band, top_right.colour) == (25, "Critical", "#c62828")
    assert top_right.text_colour == "#ffffff"


@pytest.mark.parametrize("rule", ["product", "sum", "max"])
def test_heat_map_cell_scores_and_bands_follow_the_rule(rule):
    m = method(
        rule,
        bands=[
            {"up_to": 3, "label": "Low", "colour": "#00aa00"},
            {"up_to": 25, "label": "High", "colour": "#aa0000"},
        ],
    )
    grid = scoring.heat_map(m, [])
    for row in grid.rows:
        for cell in row.cells:
            assert cell.score == EXPECTED[rule](cell.likelihood, cell.impact)
            assert cell.band == ("Low" if cell.score <= 3 else "High")


def test_heat_map_marks_one_cell():
    grid = scoring.heat_map(method(), [], mark=(4, 2))
    marked = [(c.likelihood, c.impact) for row in grid.rows for c in row.cells if c.marked]
    assert marked == [(4, 2)]


def test_heat_map_as_dict():
    data = scoring.heat_map(method(n_likelihood=2, n_impact=2), [(2, 1)]).as_dict()
    assert data == {
        "rows": [
            {
                "likelihood": 2,
                "label": "L2",
                "cells": [
                    {
                        "likelihood": 2,
                        "impact": 1,
                        "count": 1,
                        "score": 2,
                        "band": "Low",
                        "colour": "#2e7d32",
                    },
                    {
                        "likelihood": 2,
                        "impact": 2,
                        "count": 0,
                        "score": 4,
                        "band": "Low",
                        "colour": "#2e7d32",
                    },
                ],
            },
            {
                "likelihood": 1,
                "label": "L1",
                "cells": [
                    {
                        "likelihood": 1,
                        "impact": 1,
                        "count": 0,
                        "score": 1,
                        "band": "Low",
                        "colour": "#2e7d32",
                    },
                    {
                        "likelihood": 1,
                        "impact": 2,
                        "count": 0,
                        "score": 2,
                        "band": "Low",
                        "colour": "#2e7d32",
                    },
                ],
            },
        ],
        "impact_labels": ["I1", "I2"],
        "total": 1,
        "rated": 1,
        "unrated": 0,
        "off_scale": 0,
    }


def test_heat_map_from_counts_equals_heat_map_of_pairs():
    m = method()
    pairs = [(1, 2), (1, 2), (4, 4), (None, 1)]
    from_counts = scoring.heat_map_from_counts(m, {(1, 2): 2, (4, 4): 1, (None, 1): 1})
    assert from_counts == scoring.heat_map(m, pairs)
