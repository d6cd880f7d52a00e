"""Multi-site sampling by IAF MD 1 ([M], provisional): y = √x initial, 0.6·√x surveillance,
0.8·√x recertification, rounded up; the risk increase; the random draw repeated by its seed;
the 50 % per-site reduction cap."""

from __future__ import annotations

import pytest

from pdca.certification.services.sampling import (
    MAX_SITE_REDUCTION,
    cap_site_reduction,
    sample_sites,
    select_sites,
)
from pdca.core.exceptions import ValidationFailed

#: x sites besides the central function → (initial, surveillance, recertification).
TABLE = [
    (0, (0, 0, 0)),
    (1, (1, 1, 1)),
    (2, (2, 1, 2)),
    (3, (2, 2, 2)),
    (4, (2, 2, 2)),
    (5, (3, 2, 2)),
    (9, (3, 2, 3)),
    (10, (4, 2, 3)),
    (16, (4, 3, 4)),
    (17, (5, 3, 4)),
    (25, (5, 3, 4)),
    (26, (6, 4, 5)),
    (36, (6, 4, 5)),
    (50, (8, 5, 6)),
    (100, (10, 6, 8)),
    (101, (11, 7, 9)),
    (1000, (32, 19, 26)),
]


@pytest.mark.parametrize(("sites", "expected"), TABLE)
def test_sample_size_for_each_stage(sites, expected):
    got = tuple(
        sample_sites(sites, stage).sample_size
        for stage in ("initial", "surveillance", "recertification")
    )
    assert got == expected


def test_an_exact_square_root_is_not_rounded_up_by_float_noise():
    # 0.6 · √25 = 3.0000000000000004 in floating point: three sites, not four.
    assert sample_sites(25, "surveillance").minimum == 3
    assert sample_sites(100, "recertification").minimum == 8


def test_the_risk_increase_adds_sites_up_to_those_there_are():
    result = sample_sites(10, "initial", risk_increase=2)
    assert (result.minimum, result.sample_size) == (4, 6)
    assert "+2 for risk" in " ".join(result.steps)
    capped = sample_sites(5, "initial", risk_increase=10)
    assert capped.sample_size == 5
    assert "at most the 5 sites there are" in " ".join(capped.steps)


def test_every_result_is_provisional_and_says_why():
    result = sample_sites(9, "initial")
    data = result.to_dict()
    assert data["provisional"] is True
    assert data["confidence"] == "M"
    assert "IAF MD 1" in data["provisional_because"][0]
    assert data["formula"] == "y = √x, rounded up"
    assert sample_sites(9, "surveillance").formula == "y = 0.6 · √x, rounded up"
    assert data["central_function"] == "always audited, besides the sample"
    assert data["random_minimum"] == 1
    assert data["max_site_reduction_percent"] == MAX_SITE_REDUCTION == 50.0


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ((5, "annual"), "stage"),
        ((-1, "initial"), "site_count"),
        ((True, "initial"), "site_count"),
        ((5, "initial", -1), "risk_increase"),
    ],
)
def test_bad_input_names_the_field(args, field):
    with pytest.raises(ValidationFailed) as caught:
        sample_sites(*args)
    assert field in {e.field for e in caught.value.errors}


SITES = [(pk, f"Site {pk}") for pk in (11, 12, 13, 14, 15, 16, 17, 18, 19)]


def test_the_random_draw_is_repeated_by_its_seed():
    result = sample_sites(len(SITES), "initial")
    first = select_sites(result, SITES, seed=42)
    again = select_sites(result, list(reversed(SITES)), seed=42)
    assert [s.id for s in first.sites] == [s.id for s in again.sites]
    assert len(first.sites) == 3
    assert len({s.id for s in first.sites}) == 3
    assert all("seed 42" in s.reason for s in first.sites)
    other = [s.id for s in select_sites(result, SITES, seed=7).sites]
    assert other != [s.id for s in first.sites] or len(SITES) <= 3


def test_sites_chosen_for_risk_leave_room_for_one_random_site():
    result = sample_sites(len(SITES), "initial")
    selection = select_sites(result, SITES, seed=1, chosen=[11, 12])
    reasons = [s.reason for s in selection.sites]
    assert [s.id for s in selection.sites][:2] == [11, 12]
    assert reasons[:2] == ["chosen for risk", "chosen for risk"]
    assert reasons[2].startswith("drawn at random")
    with pytest.raises(ValidationFailed) as caught:
        select_sites(result, SITES, seed=1, chosen=[11, 12, 13])
    assert caught.value.errors[0].field == "chosen"
    with pytest.raises(ValidationFailed):
        select_sites(result, SITES, seed=1, chosen=[99])


def test_a_sampled_site_is_reduced_by_half_at_most():
    assert cap_site_reduction(30) == (30.0, "30 % reduction (within the 50 % cap)")
    used, text = cap_site_reduction(65)
    assert used == 50.0
    assert "at most 50 %" in text
    with pytest.raises(ValidationFailed):
        cap_site_reduction(-5)
