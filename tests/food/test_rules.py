"""The food safety rules as pure functions: the CCP/OPRP decision, significance against the
method's copy, verification due dates and exercise targets."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from pdca.food.models.prp import next_due
from pdca.food.rules import categorize, is_significant, judge_exercise, score

ANSWERS = ("", "yes", "no")
QUESTIONS = ("designed_to_control", "later_step_controls", "measurable_limit", "monitored_in_time")


def test_a_hazard_that_is_not_significant_is_managed_by_prps_whatever_the_answers():
    for values in itertools.product(ANSWERS, repeat=4):
        decision = categorize(False, **dict(zip(QUESTIONS, values, strict=True)))
        assert decision.category == "prp"
        assert decision.next_question == ""


@pytest.mark.parametrize(
    ("answers", "category"),
    [
        # Designed to control it, measurable limit monitored in time: a CCP.
        (
            {"designed_to_control": "yes", "measurable_limit": "yes", "monitored_in_time": "yes"},
            "ccp",
        ),
        # Designed to control it but no measurable limit: an OPRP.
        ({"designed_to_control": "yes", "measurable_limit": "no"}, "oprp"),
        # Measurable, but not monitored in time to correct: an OPRP.
        (
            {"designed_to_control": "yes", "measurable_limit": "yes", "monitored_in_time": "no"},
            "oprp",
        ),
        # Not designed for it, and a later step controls it: PRPs here.
        ({"designed_to_control": "no", "later_step_controls": "yes"}, "prp"),
        # Not designed for it and nothing later does: controlled here.
        (
            {
                "designed_to_control": "no",
                "later_step_controls": "no",
                "measurable_limit": "no",
            },
            "oprp",
        ),
        (
            {
                "designed_to_control": "no",
                "later_step_controls": "no",
                "measurable_limit": "yes",
                "monitored_in_time": "yes",
            },
            "ccp",
        ),
    ],
)
def test_the_decision_of_a_significant_hazard(answers, category):
    decision = categorize(True, **answers)
    assert decision.category == category
    assert decision.next_question == ""
    assert decision.reason


@pytest.mark.parametrize(
    ("answers", "next_question"),
    [
        ({}, "designed_to_control"),
        ({"designed_to_control": "no"}, "later_step_controls"),
        ({"designed_to_control": "yes"}, "measurable_limit"),
        ({"designed_to_control": "no", "later_step_controls": "no"}, "measurable_limit"),
        ({"designed_to_control": "yes", "measurable_limit": "yes"}, "monitored_in_time"),
    ],
)
def test_an_unanswered_question_leaves_the_decision_open_and_names_it(answers, next_question):
    decision = categorize(True, **answers)
    assert decision.category == ""
    assert decision.next_question == next_question


def test_every_combination_of_answers_gives_a_category_or_the_next_question():
    for values in itertools.product(ANSWERS, repeat=4):
        answers = dict(zip(QUESTIONS, values, strict=True))
        decision = categorize(True, **answers)
        assert (decision.category == "") == bool(decision.next_question), answers
        if decision.next_question:
            assert answers[decision.next_question] == ""
        # A later step's answer matters only when this step is not designed for the hazard.
        if answers["designed_to_control"] == "yes":
            other = {**answers, "later_step_controls": "no" if values[1] == "yes" else "yes"}
            assert categorize(True, **other).category == decision.category
        # The CCP needs both a measurable limit and monitoring in time.
        if decision.category == "ccp":
            assert answers["measurable_limit"] == answers["monitored_in_time"] == "yes"


def test_significance_uses_the_threshold_of_the_method_copy():
    snapshot = {"significance_threshold": 8}
    assert score(2, 4) == 8
    assert is_significant(8, snapshot)
    assert not is_significant(7, snapshot)
    assert not is_significant(None, snapshot)
    assert score(None, 3) is None
    assert is_significant(7, {"significance_threshold": 6})


@pytest.mark.parametrize(
    ("frequency", "after", "due"),
    [
        ("daily", dt.date(2026, 12, 31), dt.date(2027, 1, 1)),
        ("weekly", dt.date(2026, 3, 1), dt.date(2026, 3, 8)),
        ("monthly", dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        ("monthly", dt.date(2026, 12, 15), dt.date(2027, 1, 15)),
        ("quarterly", dt.date(2026, 11, 30), dt.date(2027, 2, 28)),
        ("six_monthly", dt.date(2026, 8, 31), dt.date(2027, 2, 28)),
        ("yearly", dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
    ],
)
def test_next_verification_due(frequency, after, due):
    assert next_due(frequency, after) == due


def test_nothing_is_due_without_a_start_or_a_verification():
    assert next_due("monthly", None) is None


TARGETS = {"trace_target_hours": "4.0", "reconciliation_target_percent": "100.0"}


@pytest.mark.parametrize(
    ("minutes", "percent", "result", "missed"),
    [
        (240, Decimal("100"), "passed", 0),
        (95, Decimal("100.0"), "passed", 0),
        (241, Decimal("100"), "failed", 1),
        (90, Decimal("99.5"), "failed", 1),
        (300, Decimal("80"), "failed", 2),
        (None, Decimal("100"), "", 0),
        (60, None, "", 0),
    ],
)
def test_an_exercise_is_judged_on_both_targets(minutes, percent, result, missed):
    got, reasons = judge_exercise(minutes, percent, TARGETS)
    assert got == result
    assert len(reasons) == missed
