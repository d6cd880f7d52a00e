"""The audit-time calculator against the reference (docs reference section 5): every row of every
table, the effective-personnel rules, every limit, the split, the provisional flags, bad input.

The tables below are transcribed by hand from the reference, separately from the YAML files, so
a typo in either shows up as a difference.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from pdca.certification.audit_time import (
    Adjustment,
    IdenticalActivity,
    RepetitiveFunctions,
    TableError,
    calculate,
    load_table,
)
from pdca.certification.audit_time.tables import parse_table
from pdca.core.exceptions import ValidationFailed

BANDS = [
    "1-5",
    "6-10",
    "11-15",
    "16-25",
    "26-45",
    "46-65",
    "66-85",
    "86-125",
    "126-175",
    "176-275",
    "276-425",
    "426-625",
    "626-875",
    "876-1175",
    "1176-1550",
    "1551-2025",
    "2026-2675",
    "2676-3450",
    "3451-4350",
    "4351-5450",
    "5451-6800",
    "6801-8500",
    "8501-10700",
]
QMS = "1.5 2 2.5 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22"
EMS = {
    "high": "3 3.5 4.5 5.5 7 8 9 11 12 13 15 16 17 19 20 21 23 25 27 28 30 32 34",
    "medium": "2.5 3 3.5 4.5 5.5 6 7 8 9 10 11 12 13 15 16 17 18 19 20 21 23 25 27",
    "low": "2.5 3 3 3.5 4 4.5 5 5.5 6 7 8 9 10 11 12 12 13 14 15 16 17 19 20",
    "limited": "2.5 3 3 3 3 3.5 3.5 4 4.5 5 5.5 6 6.5 7 7.5 8 8.5 9 10 11 12 13 14",
}
OHSMS = {column: EMS[column] for column in ("high", "medium", "low")}
ISMS_BANDS = ["1-10", *BANDS[2:]]
ISMS = "5 6 7 8.5 10 11 12 13 14 15 16.5 17.5 18.5 19.5 21 22 23 24 25 26 27 28"


def _expected() -> dict[tuple[str, str, str], float]:
    found = {}
    for scheme, bands, columns in (
        ("qms", BANDS, {"days": QMS}),
        ("ems", BANDS, EMS),
        ("ohsms", BANDS, OHSMS),
        ("isms", ISMS_BANDS, {"days": ISMS}),
    ):
        for column, values in columns.items():
            days = [float(v) for v in values.split()]
            assert len(days) == len(bands), (scheme, column)
            for band, value in zip(bands, days, strict=True):
                found[(scheme, band, column)] = value
    return found


EXPECTED = _expected()


def _cells():
    return [
        (scheme, row.label, column)
        for scheme in ("qms", "ems", "ohsms", "isms")
        for row in load_table(scheme).rows
        for column in row.cells
    ]


def _errors(excinfo) -> set[str]:
    return {e.field for e in excinfo.value.errors}


# --- every row of every table --------------------------------------------------------------


def test_the_tables_hold_exactly_the_reference_cells():
    assert set(_cells()) == set(EXPECTED)
    assert len(EXPECTED) == 23 + 23 * 4 + 23 * 3 + 22


@pytest.mark.parametrize(("scheme", "band", "column"), _cells(), ids="-".join)
def test_every_row_gives_the_reference_days_at_both_ends_of_its_band(scheme, band, column):
    low, high = (int(n) for n in band.split("-"))
    complexity = None if column == "days" else column
    for personnel in (low, high):
        result = calculate(scheme, personnel=personnel, complexity=complexity)
        assert result.table_row is not None
        assert result.table_row.label == band
        assert result.base_days == EXPECTED[(scheme, band, column)]
        # Every table value is a whole or half day, so rounding leaves it as it is.
        assert result.initial.days == EXPECTED[(scheme, band, column)]
        assert result.effective_personnel == personnel


@pytest.mark.parametrize("scheme", ["qms", "ems", "ohsms", "isms"])
def test_beyond_the_last_row_is_refused_not_extrapolated(scheme):
    complexity = None if scheme in ("qms", "isms") else "high"
    with pytest.raises(ValidationFailed) as excinfo:
        calculate(scheme, personnel=10701, complexity=complexity)
    assert _errors(excinfo) == {"personnel"}
    assert "follow the progression" in excinfo.value.message


# --- confidence and provisional flags --------------------------------------------------------


def test_each_table_carries_the_reference_confidence():
    assert {s: load_table(s).confidence for s in ("qms", "ems", "ohsms", "isms")} == {
        "qms": "V2",
        "ems": "V2",
        "ohsms": "V",
        "isms": "M",
    }


def test_only_the_disputed_ems_limited_cell_is_marked_as_a_conflict():
    conflicts = [
        (row.label, column)
        for row in load_table("ems").rows
        for column, cell in row.cells.items()
        if cell.confidence == "!"
    ]
    assert conflicts == [("626-875", "limited")]
    result = calculate("ems", personnel=700, complexity="limited")
    assert result.base_days == 6.5
    assert result.initial.provisional
    assert any("6.0" in reason for reason in result.initial.provisional_because)
    assert result.to_dict()["table_row"]["confidence"] == "!"


@pytest.mark.parametrize(("scheme", "complexity"), [("qms", None), ("ems", "low"), ("isms", None)])
def test_figures_from_a_v2_or_m_table_are_provisional(scheme, complexity):
    result = calculate(scheme, personnel=50, complexity=complexity)
    for figure in (result.initial, result.surveillance, result.recertification):
        assert figure.provisional
        assert any(load_table(scheme).title in r for r in figure.provisional_because)
    assert result.to_dict()["provisional"] is True


def test_a_verified_ohs_table_gives_a_verified_initial_and_surveillance_time():
    result = calculate("ohsms", personnel=100, complexity="high")
    assert result.initial.provisional_because == ()
    assert result.surveillance.provisional_because == ()
    # Two thirds is verified, the wording of its basis is not; the split is pdca's.
    assert result.recertification.provisional
    assert result.stage1.provisional and result.stage2.provisional
    assert "stage split" in result.stage1.provisional_because[-1]
    on_site = next(s for s in result.steps if s.key == "on_site_minimum")
    assert (on_site.confidence, on_site.provisional) == ("M", True)


# --- effective personnel ---------------------------------------------------------------------


def test_temporary_personnel_count_in_full():
    result = calculate("qms", personnel=4, temporary=3)
    assert result.effective_personnel == 7
    assert result.base_days == 2


def test_part_time_personnel_count_as_full_time_equivalents():
    result = calculate("qms", personnel=5, part_time_hours=80, full_time_hours=40)
    assert result.effective_personnel == 7
    step = next(s for s in result.steps if s.key == "part_time")
    assert (step.value, step.confidence) == (2.0, "V")


def test_a_fraction_of_a_person_is_rounded_up_as_pdcas_provisional_rule():
    result = calculate(
        "ohsms", personnel=5, part_time_hours=10, full_time_hours=40, complexity="low"
    )
    assert result.effective_personnel == 6
    assert result.base_days == 3
    step = next(s for s in result.steps if s.key == "effective_personnel")
    assert step.provisional and step.confidence == "pdca"
    assert result.initial.provisional


def test_part_time_hours_need_the_full_time_week():
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("qms", personnel=5, part_time_hours=20)
    assert _errors(excinfo) == {"full_time_hours"}


def test_isms_identical_activities_count_as_their_square_root_rounded_up():
    result = calculate(
        "isms", personnel=500, identical_activities=[IdenticalActivity("call centre", 400)]
    )
    assert result.effective_personnel == 100 + 20
    assert result.table_row is not None and result.table_row.label == "86-125"
    assert result.base_days == 12
    step = next(s for s in result.steps if s.key == "identical_activity")
    assert step.value == 380
    assert "C.3.4" in step.basis


def test_the_square_root_is_rounded_up():
    result = calculate("isms", personnel=10, identical_activities=[IdenticalActivity("desk", 10)])
    assert result.effective_personnel == 4  # sqrt(10) = 3.16 -> 4


@pytest.mark.parametrize("scheme", ["qms", "ems", "ohsms"])
def test_the_square_root_rule_is_isms_only(scheme):
    with pytest.raises(ValidationFailed) as excinfo:
        calculate(
            scheme,
            personnel=50,
            complexity=None if scheme == "qms" else "low",
            identical_activities=[IdenticalActivity("line", 40)],
        )
    assert _errors(excinfo) == {"identical_activities"}


def test_identical_groups_cannot_hold_more_than_those_counted():
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("isms", personnel=10, identical_activities=[IdenticalActivity("a", 11)])
    assert _errors(excinfo) == {"identical_activities"}


def test_a_justified_md5_reduction_for_repetitive_work_is_provisional():
    result = calculate(
        "qms", personnel=100, repetitive_functions=RepetitiveFunctions(40, "packing line")
    )
    assert result.effective_personnel == 60
    assert result.base_days == 5
    step = next(s for s in result.steps if s.key == "repetitive_functions")
    assert (step.confidence, step.provisional) == ("M", True)


def test_a_repetitive_reduction_needs_a_justification_and_an_md5_scheme():
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("qms", personnel=100, repetitive_functions=RepetitiveFunctions(40, " "))
    assert _errors(excinfo) == {"repetitive_functions.justification"}
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("isms", personnel=100, repetitive_functions=RepetitiveFunctions(40, "x"))
    assert _errors(excinfo) == {"repetitive_functions"}


def test_no_effective_personnel_is_refused():
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("qms", personnel=0)
    assert _errors(excinfo) == {"personnel"}


# --- limits --------------------------------------------------------------------------------


def test_adjustments_each_keep_their_reason_and_percent():
    result = calculate(
        "qms",
        personnel=300,
        adjustments=[
            Adjustment(10, "several languages"),
            Adjustment(-15, "not design responsible"),
        ],
    )
    steps = [s for s in result.steps if s.key == "adjustment"]
    assert [(s.percent, s.value) for s in steps] == [(10.0, 1.0), (-15.0, -1.5)]
    assert "several languages" in steps[0].text and "not design responsible" in steps[1].text
    assert result.initial.exact == pytest.approx(9.5)
    assert not any(s.key == "reduction_cap" for s in result.steps)


def test_reductions_stop_at_30_percent():
    result = calculate(
        "qms", personnel=300, adjustments=[Adjustment(-25, "mature"), Adjustment(-20, "automated")]
    )
    assert result.initial.exact == pytest.approx(7.0)
    cap = next(s for s in result.steps if s.key == "reduction_cap")
    assert (cap.percent, cap.confidence) == (-30.0, "V")


def test_exactly_30_percent_is_allowed_without_a_cap():
    result = calculate("qms", personnel=300, adjustments=[Adjustment(-30, "mature")])
    assert result.initial.exact == pytest.approx(7.0)
    assert not any(s.key == "reduction_cap" for s in result.steps)


def test_increases_are_not_capped():
    result = calculate("qms", personnel=300, adjustments=[Adjustment(60, "many sites")])
    assert result.initial.days == 16


def test_integration_takes_off_at_most_20_percent_after_md5():
    result = calculate(
        "qms",
        personnel=300,
        adjustments=[Adjustment(-30, "mature")],
        integrated_with=["ems"],
        integration_reduction=25,
        integration_reason="one integrated system",
    )
    # 10 days, -30 % (MD 5) = 7, then -20 % (MD 11) = 5.6, rounded up to 6.
    assert result.initial.exact == pytest.approx(5.6)
    assert result.initial.days == 6
    keys = [s.key for s in result.steps]
    assert keys.index("adjusted") < keys.index("integration_cap") < keys.index("integration")
    assert result.to_dict()["integrated_with"] == ["ems"]


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"integration_reduction": 10, "integration_reason": "x"}, "integrated_with"),
        ({"integrated_with": ["ems"], "integration_reduction": 10}, "integration_reason"),
        ({"integrated_with": ["qms"]}, "integrated_with[0]"),
        ({"integrated_with": ["iso9001"]}, "integrated_with[0]"),
        ({"integrated_with": ["ems"], "integration_reduction": -5}, "integration_reduction"),
    ],
)
def test_bad_integration_input_names_the_field(options, field):
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("qms", personnel=10, **options)
    assert _errors(excinfo) == {field}


def test_at_least_80_percent_of_the_time_is_on_site():
    result = calculate("qms", personnel=300, off_site=2)
    assert result.initial.on_site_minimum == 8
    assert result.surveillance.on_site_minimum == pytest.approx(0.8 * result.surveillance.days)
    assert result.recertification.on_site_minimum == pytest.approx(
        0.8 * result.recertification.days
    )
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("qms", personnel=300, off_site=2.5)
    assert _errors(excinfo) == {"off_site"}


def test_isms_has_no_on_site_minimum_in_the_reference():
    result = calculate("isms", personnel=300, off_site=5)
    assert result.initial.on_site_minimum is None
    step = next(s for s in result.steps if s.key == "on_site_minimum")
    assert step.provisional and "no on-site minimum" in step.text


# --- the split ------------------------------------------------------------------------------


def test_the_smallest_qms_splits_into_half_days():
    result = calculate("qms", personnel=3)
    assert [
        f.days
        for f in (
            result.initial,
            result.stage1,
            result.stage2,
            result.surveillance,
            result.recertification,
        )
    ] == [1.5, 0.5, 1.0, 0.5, 1.0]


def test_surveillance_is_a_third_and_recertification_two_thirds_rounded_up():
    result = calculate("ohsms", personnel=1000, complexity="high")
    assert result.initial.days == 19
    assert result.surveillance.exact == pytest.approx(19 / 3)
    assert (result.surveillance.days, result.recertification.days) == (6.5, 13)
    assert (result.stage1.days, result.stage2.days) == (6.5, 12.5)


def test_the_stage_1_share_is_the_certification_bodys_to_set():
    result = calculate("ohsms", personnel=1000, complexity="high", stage1_share=Fraction(1, 4))
    assert (result.stage1.days, result.stage2.days) == (5, 14)
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("qms", personnel=10, stage1_share=1)
    assert _errors(excinfo) == {"stage1_share"}


# --- entered days ---------------------------------------------------------------------------


def test_a_standard_without_a_table_takes_entered_days_with_a_justification():
    result = calculate(
        "entered", personnel=8, standard="aims", days=5, justification="AI producer, 42006 row"
    )
    assert (result.standard, result.initial.days, result.table_row) == ("ISO/IEC 42001", 5, None)
    keys = [s.key for s in result.steps]
    assert "entered_days" in keys and "iso42006" in keys
    assert result.surveillance.provisional  # by analogy with MD 5: pdca's assumption
    assert result.initial.on_site_minimum is None


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"standard": "fsms", "days": 4}, "justification"),
        ({"standard": "fsms", "justification": "x"}, "days"),
        ({"standard": "iso9001", "days": 4, "justification": "x"}, "standard"),
        ({"standard": "bcms", "days": 4, "justification": "x", "complexity": "high"}, "complexity"),
    ],
)
def test_entered_days_refuse_missing_parts(options, field):
    with pytest.raises(ValidationFailed) as excinfo:
        calculate("entered", personnel=8, **options)
    assert _errors(excinfo) == {field}


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "options", "field"),
    [
        ("iso9001", {"personnel": 10}, "scheme"),
        ("ems", {"personnel": 10}, "complexity"),
        ("qms", {"personnel": 10, "complexity": "high"}, "complexity"),
        ("ohsms", {"personnel": 10, "complexity": "limited"}, "complexity"),
        ("qms", {"personnel": -1}, "personnel"),
        ("qms", {"personnel": True}, "personnel"),
        ("qms", {"personnel": 10, "temporary": -2}, "temporary"),
        ("qms", {"personnel": 10, "part_time_hours": -1}, "part_time_hours"),
        ("qms", {"personnel": 10, "adjustments": [Adjustment(0, "x")]}, "adjustments[0].percent"),
        ("qms", {"personnel": 10, "adjustments": [Adjustment(5, "")]}, "adjustments[0].reason"),
        ("qms", {"personnel": 10, "off_site": -1}, "off_site"),
    ],
)
def test_bad_input_names_the_field(scheme, options, field):
    with pytest.raises(ValidationFailed) as excinfo:
        calculate(scheme, **options)
    assert _errors(excinfo) == {field}


# --- the loader -----------------------------------------------------------------------------


def _table(**changes):
    data = {
        "scheme": "cb-fsms",
        "standard": "ISO 22000",
        "title": "CB table",
        "source": "our own",
        "reference": "CB procedure 7",
        "confidence": "V",
        "columns": ["days"],
        "rows": [{"personnel": [1, 10], "days": [2]}, {"personnel": [11, 20], "days": [3]}],
    }
    data.update(changes)
    return data


def test_a_certification_body_table_in_the_same_shape_loads():
    table = parse_table(_table(), "cb-fsms.yaml")
    assert table.row_for(15) is not None and table.row_for(15).cells["days"].days == 3
    assert table.row_for(21) is None


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        (
            {"rows": [{"personnel": [1, 10], "days": [2]}, {"personnel": [12, 20], "days": [3]}]},
            "gap",
        ),
        (
            {"rows": [{"personnel": [1, 10], "days": [3]}, {"personnel": [11, 20], "days": [2]}]},
            "fall",
        ),
        ({"rows": [{"personnel": [2, 10], "days": [2]}]}, "start at 1"),
        ({"rows": [{"personnel": [1, 10], "days": [2, 3]}]}, "one value per column"),
        ({"rows": [{"personnel": [1, 10], "days": [0]}]}, "positive"),
        ({"confidence": "maybe"}, "confidence"),
        ({"columns": ["high", "days"]}, "only column"),
        ({"title": None, "rows": None} | {}, "rows must be"),
    ],
)
def test_a_malformed_table_is_refused_with_its_file_and_row(changes, says):
    with pytest.raises(TableError) as excinfo:
        parse_table(_table(**changes), "cb-fsms.yaml")
    assert "cb-fsms.yaml" in str(excinfo.value)
    assert says in str(excinfo.value)


def test_the_steps_run_in_the_order_of_the_calculation():
    result = calculate("qms", personnel=10)
    assert [s.key for s in result.steps] == [
        "headcount",
        "effective_personnel",
        "table_row",
        "audit_day",
        "rounding",
        "on_site_minimum",
        "stage_split",
        "surveillance",
        "recertification",
    ]
