"""Significance of an aspect: the threshold (a score that reaches it is significant), the
legal rule, the combination rules, and a method change that leaves earlier assessments as
they were."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.testing.api_bundle import login
from pdca.environment import method as method_services
from pdca.environment.models import SignificanceMethod
from pdca.environment.models.method import default_criteria
from pdca.environment.services import assess_aspect
from pdca.environment.significance import as_snapshot, evaluate, score_range
from tests.environment.factories import make_aspect

pytestmark = pytest.mark.django_db

#: Default criteria: severity, probability, scale, legal, stakeholder, each 1 to 5; sum; 15.
KEYS = ["severity", "probability", "scale", "legal", "stakeholder"]


def scores(*values: int) -> dict[str, int]:
    return dict(zip(KEYS, values, strict=True))


def default_snapshot(**overrides) -> dict:
    snap = as_snapshot(SignificanceMethod())
    snap.update(overrides)
    return snap


def test_the_default_method_sums_five_criteria_from_5_to_25_with_threshold_15():
    snap = default_snapshot()
    assert [c["key"] for c in snap["criteria"]] == KEYS
    assert score_range(snap) == (5, 25)
    assert (snap["rule"], snap["threshold"], snap["legal_max_significant"]) == ("sum", 15, True)


def test_a_score_at_the_threshold_is_significant():
    result = evaluate(default_snapshot(), scores(3, 3, 3, 3, 3))
    assert (result.score, result.significant) == (15, True)
    assert result.reason == "its score 15 reaches the threshold 15"


def test_a_score_one_below_the_threshold_is_not():
    result = evaluate(default_snapshot(), scores(3, 3, 3, 3, 2))
    assert (result.score, result.significant) == (14, False)
    assert result.reason == "its score 14 is below the threshold 15"


def test_a_legal_criterion_at_its_maximum_makes_it_significant_whatever_the_total():
    result = evaluate(default_snapshot(), scores(1, 1, 1, 5, 1))
    assert (result.score, result.significant) == (9, True)
    assert result.reason == "Legal concern is at its maximum"


def test_without_the_legal_rule_the_total_alone_decides():
    result = evaluate(default_snapshot(legal_max_significant=False), scores(1, 1, 1, 5, 1))
    assert (result.score, result.significant) == (9, False)


def test_a_non_legal_criterion_at_its_maximum_does_not_count():
    assert not evaluate(default_snapshot(), scores(5, 1, 1, 1, 1)).significant


@pytest.mark.parametrize(("rule", "expected"), [("product", 24), ("max", 4), ("sum", 11)])
def test_the_combination_rule(rule, expected):
    snap = default_snapshot(rule=rule)
    assert evaluate(snap, scores(1, 2, 3, 1, 4)).score == expected


def test_assessing_stores_scores_result_and_a_copy_of_the_method(personas):
    aspect = make_aspect(personas.org)
    assess_aspect(aspect, actor=personas.manager, scores=scores(4, 4, 3, 2, 3))
    aspect.refresh_from_db()
    assert aspect.scores == scores(4, 4, 3, 2, 3)
    assert (aspect.score, aspect.significant) == (16, True)
    assert aspect.method_snapshot["criteria"] == default_criteria()
    assert aspect.method_snapshot["threshold"] == 15
    assert aspect.assessed_by == personas.manager
    entry = ActivityEntry.objects.get(object_type="environment.aspect", action="update")
    assert entry.changes["significant"] == [False, True]
    assert "significant" in entry.message


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"severity": 4}, "scores.probability"),
        ({**scores(1, 1, 1, 1, 1), "severity": 6}, "scores.severity"),
        ({**scores(1, 1, 1, 1, 1), "severity": 0}, "scores.severity"),
        ({**scores(1, 1, 1, 1, 1), "colour": 2}, "scores.colour"),
        ({**scores(1, 1, 1, 1, 1), "scale": "3"}, "scores.scale"),
    ],
)
def test_bad_scores_name_the_criterion_and_change_nothing(personas, given, field):
    aspect = make_aspect(personas.org)
    with pytest.raises(ValidationFailed) as caught:
        assess_aspect(aspect, actor=personas.manager, scores=given)
    assert field in [e.field for e in caught.value.errors]
    aspect.refresh_from_db()
    assert (aspect.score, aspect.assessed_on, aspect.scores) == (None, None, {})
    assert not ActivityEntry.objects.filter(object_type="environment.aspect").exists()


def test_an_employee_may_not_assess(personas):
    aspect = make_aspect(personas.org)
    with pytest.raises(PermissionDenied):
        assess_aspect(aspect, actor=personas.employee, scores=scores(1, 1, 1, 1, 1))


def test_a_method_change_keeps_earlier_assessments_as_they_were(client, personas):
    org, manager = personas.org, personas.manager
    aspect = make_aspect(org)
    assess_aspect(aspect, actor=manager, scores=scores(3, 3, 3, 3, 3))
    aspect.refresh_from_db()
    kept = dict(aspect.method_snapshot)
    method_services.update_method(
        org,
        actor=manager,
        name="Stricter",
        criteria=[
            {"label": "Severity", "min": 1, "max": 3},
            {"label": "Legal concern", "min": 1, "max": 3, "legal": True},
        ],
        rule="product",
        threshold=6,
        legal_max_significant=False,
    )
    aspect.refresh_from_db()
    assert aspect.method_snapshot == kept
    assert (aspect.score, aspect.significant) == (15, True)
    login(client, manager)
    page = client.get(f"/aspects/{aspect.pk}/").content.decode()
    assert 'id="method-changed"' in page
    assert "Stakeholder concern" in page  # read on the criteria it was scored on
    api = client.get(f"/api/v1/aspects/{aspect.pk}/assessment/").json()
    assert (api["method_changed"], api["threshold"], api["score"]) == (True, 15, 15)
    assert [line["key"] for line in api["lines"]] == KEYS
    # Assessing again uses the new method.
    assess_aspect(aspect, actor=manager, scores={"severity": 2, "legal_concern": 2})
    aspect.refresh_from_db()
    assert (aspect.score, aspect.significant) == (4, False)
    assert aspect.method_snapshot["name"] == "Stricter"
    page = client.get(f"/aspects/{aspect.pk}/").content.decode()
    assert 'id="method-changed"' not in page
