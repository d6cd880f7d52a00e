"""The objective chart: geometry (points inside the plot area, the scale covering the baseline
and the target), the lines it draws, tooltips, units, the empty state and determinism."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest

from pdca.system.models import Measurement, Objective
from pdca.system.objectives.chart import (
    Frame,
    month_ticks,
    nice_ticks,
    objective_chart,
    scale_for,
    sparkline,
)

START = dt.date(2025, 1, 1)
DUE = dt.date(2025, 12, 31)
FRAME = Frame(left=64, top=14, right=624, bottom=220)


def objective(**fields) -> Objective:
    values = {
        "title": "Fewer complaints",
        "kpi": "Customer complaints",
        "unit": "complaints",
        "direction": Objective.Direction.AT_MOST,
        "baseline": D("40"),
        "target": D("12"),
        "start_date": START,
        "due_date": DUE,
    }
    values.update(fields)
    return Objective(**values)


def readings(*pairs) -> list[Measurement]:
    return [Measurement(measured_on=on, value=D(value), note=note) for on, value, note in pairs]


SERIES = readings(
    (dt.date(2025, 2, 1), "38", ""),
    (dt.date(2025, 3, 1), "33.5", "after the new checklist"),
    (dt.date(2025, 4, 1), "45", "<script>x</script>"),
)


def circles(svg: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for x, y in re.findall(r'<circle class="point" cx="([\d.]+)" cy="([\d.]+)"', svg)
    ]


def test_scale_covers_baseline_target_measurements_and_dates():
    scale, ticks = scale_for(objective(), SERIES, FRAME)
    assert scale.low <= 12 and scale.high >= 45
    assert (scale.low, scale.high) == (ticks[0], ticks[-1])
    assert ticks == [10.0, 20.0, 30.0, 40.0, 50.0]
    assert (scale.start, scale.end) == (START, DUE)
    assert scale.x(START) == FRAME.left and scale.x(DUE) == FRAME.right
    assert scale.y(10) == FRAME.bottom and scale.y(50) == FRAME.top
    assert scale.y(30) == pytest.approx((FRAME.top + FRAME.bottom) / 2)


def test_scale_stretches_to_measurements_outside_the_plan():
    late = readings((dt.date(2026, 2, 1), "5", ""))
    scale, _ = scale_for(objective(), late, FRAME)
    assert scale.end == dt.date(2026, 2, 1)
    assert scale.low <= 5


def test_a_flat_plan_still_has_height():
    scale, ticks = scale_for(objective(baseline=D("100"), target=D("100")), [], FRAME)
    assert scale.low < 100 < scale.high
    assert len(ticks) >= 2


def test_points_are_inside_the_plot_area_with_tooltips():
    svg = str(objective_chart(objective(), SERIES))
    points = circles(svg)
    assert len(points) == 3
    for x, y in points:
        assert FRAME.left <= x <= FRAME.right
        assert FRAME.top <= y <= FRAME.bottom
    # Later dates are further right; higher values higher up (smaller y).
    assert points[0][0] < points[1][0] < points[2][0]
    assert points[2][1] < points[0][1] < points[1][1]
    assert "<title>2025-03-01: 33.5 complaints (after the new checklist)</title>" in svg
    assert "&lt;script&gt;" in svg and "<script>" not in svg


def test_target_is_dashed_and_plan_dotted_from_baseline_to_target():
    svg = str(objective_chart(objective(), SERIES))
    scale, _ = scale_for(objective(), SERIES, FRAME)
    target = re.search(
        r'<line class="target" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"'
        r'[^>]*stroke-dasharray="6 4"',
        svg,
    )
    assert target is not None
    assert float(target.group(2)) == pytest.approx(scale.y(12), abs=0.05)
    plan = re.search(
        r'<line class="plan" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"'
        r'[^>]*stroke-dasharray="2 3"',
        svg,
    )
    assert plan is not None
    x1, y1, x2, y2 = map(float, plan.groups())
    assert (x1, x2) == (
        pytest.approx(scale.x(START), abs=0.05),
        pytest.approx(scale.x(DUE), abs=0.05),
    )
    assert (y1, y2) == (pytest.approx(scale.y(40), abs=0.05), pytest.approx(scale.y(12), abs=0.05))
    assert "Target: 12 complaints by 2025-12-31" in svg


def test_without_baseline_the_plan_starts_at_the_first_measurement():
    svg = str(objective_chart(objective(baseline=None), SERIES))
    scale, _ = scale_for(objective(baseline=None), SERIES, FRAME)
    plan = re.search(r'<line class="plan" x1="([\d.]+)" y1="([\d.]+)"', svg)
    assert float(plan.group(1)) == pytest.approx(scale.x(dt.date(2025, 2, 1)), abs=0.05)
    assert float(plan.group(2)) == pytest.approx(scale.y(38), abs=0.05)


def test_axes_carry_the_unit():
    svg = str(objective_chart(objective(unit="%", kpi="On-time delivery"), SERIES))
    assert re.search(r'<text class="y-tick"[^>]*>10%</text>', svg)
    assert "On-time delivery (%)</text>" in svg
    assert '<text class="x-tick"' in svg and ">Jan 2025</text>" in svg


def test_empty_state_shows_the_plan_and_says_so():
    svg = str(objective_chart(objective(), []))
    assert "No measurements yet" in svg
    assert 'class="plan"' in svg and 'class="target"' in svg
    assert "<circle" not in svg and "<polyline" not in svg


def test_output_is_deterministic():
    assert str(objective_chart(objective(), SERIES)) == str(
        objective_chart(objective(), list(reversed(SERIES)))
    )
    assert str(sparkline(objective(), SERIES)) == str(sparkline(objective(), SERIES[::-1]))


def test_sparkline():
    svg = str(sparkline(objective(), SERIES, width=140, height=32))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="sparkline"')
    pairs = re.search(r'<polyline class="measured" points="([^"]+)"', svg).group(1).split()
    assert len(pairs) == 3
    for pair in pairs:
        x, y = map(float, pair.split(","))
        assert 3 <= x <= 137 and 3 <= y <= 29
    assert "2025-04-01 45 complaints" in svg
    assert "no data" in str(sparkline(objective(), []))


def test_nice_ticks_and_month_ticks():
    assert nice_ticks(0, 100) == [0, 25, 50, 75, 100]
    assert nice_ticks(12, 45) == [10, 20, 30, 40, 50]
    assert nice_ticks(0.1, 0.37) == [0.1, 0.2, 0.3, 0.4]
    assert nice_ticks(-5, 5) == [-5, -2.5, 0, 2.5, 5]
    assert month_ticks(dt.date(2025, 1, 15), dt.date(2025, 4, 2)) == [
        dt.date(2025, 2, 1),
        dt.date(2025, 3, 1),
        dt.date(2025, 4, 1),
    ]
    assert len(month_ticks(dt.date(2020, 1, 1), dt.date(2025, 1, 1))) <= 7
