"""The shipped quizzes mark as right what an expert would answer: every question's `correct`
flags match tests/people/answer_key.yaml, a key written from the questions alone, and every
shipped question is in the key (so a new question cannot ship unchecked)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pdca.people.services.course_files import parse_course, shipped_course_files

KEY: dict[str, list[int]] = yaml.safe_load(
    (Path(__file__).parent / "answer_key.yaml").read_text(encoding="utf-8")
)


def _shipped_questions() -> dict[str, dict[str, Any]]:
    questions: dict[str, dict[str, Any]] = {}
    for text in shipped_course_files().values():
        for module in parse_course(text).data["modules"]:
            for question in module.get("questions") or []:
                questions[question["key"]] = question
    return questions


QUESTIONS = _shipped_questions()


def test_every_shipped_question_is_in_the_key_and_nothing_else():
    assert sorted(set(QUESTIONS) - set(KEY)) == [], "questions without an answer in the key"
    assert sorted(set(KEY) - set(QUESTIONS)) == [], "answers to questions no longer shipped"


@pytest.mark.parametrize("key", sorted(QUESTIONS))
def test_the_course_marks_the_right_choices(key):
    question = QUESTIONS[key]
    marked = [i for i, c in enumerate(question["choices"], start=1) if c.get("correct") is True]
    expected = sorted(KEY.get(key, []))
    assert marked == expected, f"{key}: {question['text']}"
    if question.get("kind", "single") == "single":
        assert len(expected) == 1
    assert all(1 <= i <= len(question["choices"]) for i in expected)
