"""`pdca audit-time`: the table row, the five figures and the steps, as a table or as JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from pdca.cli import app


def run(*args):
    return CliRunner().invoke(app, ["audit-time", *args], prog_name="pdca")


def test_it_is_listed_and_has_help():
    assert "audit-time" in CliRunner().invoke(app, ["--help"], prog_name="pdca").output
    result = run("--help")
    assert result.exit_code == 0, result.output
    assert "Usage: pdca audit-time [OPTIONS]" in result.output
    for option in ("--scheme", "--personnel", "--complexity", "--adjust", "--integrated-with"):
        assert option in result.output
    assert "--format" in result.output and "[table|json]" in result.output


def test_json_gives_the_row_the_five_figures_and_the_steps():
    result = run(
        "--scheme", "ems", "--personnel", "100", "--complexity", "medium", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["scheme"] == "ems"
    assert data["effective_personnel"] == 100
    assert data["table_row"] == {
        "personnel": "86-125",
        "column": "medium",
        "days": 8.0,
        "confidence": "V2",
        "provisional": True,
        "note": "",
    }
    days = {
        k: data[k]["days"]
        for k in ("initial", "stage1", "stage2", "surveillance", "recertification")
    }
    assert days == {
        "initial": 8.0,
        "stage1": 3.0,
        "stage2": 5.0,
        "surveillance": 3.0,
        "recertification": 5.5,
    }
    assert data["initial"]["on_site_minimum"] == 6.4
    assert data["provisional"] is True
    assert data["initial"]["provisional_because"]
    assert [s["key"] for s in data["steps"]][:3] == [
        "headcount",
        "effective_personnel",
        "table_row",
    ]
    assert all({"text", "basis", "confidence", "provisional"} <= set(s) for s in data["steps"])


def test_json_carries_the_adjustments_and_limits():
    result = run(
        "--scheme", "qms", "--personnel", "300",
        "--adjust", "-20:mature system", "--adjust", "-20:high automation",
        "--integrated-with", "ems", "--integration-reduction", "20",
        "--integration-reason", "one system", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    keys = [s["key"] for s in data["steps"]]
    assert keys.count("adjustment") == 2 and "reduction_cap" in keys and "integration" in keys
    assert data["initial"]["exact"] == 5.6
    assert data["initial"]["days"] == 6.0


def test_the_table_shows_the_row_the_figures_and_the_steps():
    result = run("--scheme", "isms", "--personnel", "20")
    assert result.exit_code == 0, result.output
    assert "row 16-25 persons: 7 days [M]" in result.output
    assert "initial (stage 1 + stage 2)" in result.output
    assert "How it was reached" in result.output
    assert "Provisional" in result.output


def test_entered_days_for_a_standard_without_a_table():
    result = run(
        "--scheme", "entered", "--personnel", "12", "--standard", "bcms", "--days", "4",
        "--justification", "CB table BC-1", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["standard"], data["initial"]["days"], data["table_row"]) == (
        "ISO 22301",
        4.0,
        None,
    )


def test_bad_input_names_the_option_and_exits_1():
    result = run("--scheme", "ems", "--personnel", "10")
    assert result.exit_code == 1
    assert "--complexity" in result.output
    result = run("--scheme", "qms", "--personnel", "10", "--adjust", "ten:more")
    assert result.exit_code == 1
    assert "PERCENT:REASON" in result.output
    result = run("--scheme", "qms", "--personnel", "20000", "--format", "json")
    assert result.exit_code == 1
    assert "--personnel" in result.output


def test_an_unknown_format_is_refused():
    result = run("--scheme", "qms", "--personnel", "10", "--format", "xml")
    assert result.exit_code == 2
