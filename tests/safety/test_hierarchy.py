"""The hierarchy of controls (45001 8.1.2), as pure rules over a hazard's controls."""

from __future__ import annotations

from pdca.safety import hierarchy
from pdca.safety.models import HazardControl

L = HazardControl.Level
S = HazardControl.Status


def control(level, status=S.PLANNED, pk=1):
    return HazardControl(pk=pk, title=level, level=level, status=status)


def test_the_order_runs_from_elimination_to_ppe():
    assert [hierarchy.rank(level) for level in hierarchy.ORDER] == [1, 2, 3, 4, 5]
    assert hierarchy.ORDER[0] == L.ELIMINATION and hierarchy.ORDER[-1] == L.PPE


def test_controls_are_listed_most_effective_first_then_as_added():
    controls = [
        control(L.PPE, pk=1),
        control(L.ADMINISTRATIVE, pk=2),
        control(L.ENGINEERING, pk=3),
        control(L.ELIMINATION, pk=4),
        control(L.ENGINEERING, pk=5),
        control(L.SUBSTITUTION, pk=6),
    ]
    ordered = hierarchy.in_hierarchy_order(controls)
    assert [(c.level, c.pk) for c in ordered] == [
        (L.ELIMINATION, 4),
        (L.SUBSTITUTION, 6),
        (L.ENGINEERING, 3),
        (L.ENGINEERING, 5),
        (L.ADMINISTRATIVE, 2),
        (L.PPE, 1),
    ]


def test_the_best_level_ignores_controls_not_adopted():
    controls = [control(L.ENGINEERING, S.NOT_ADOPTED), control(L.PPE, S.IN_PLACE, pk=2)]
    assert hierarchy.best_level(controls) == L.PPE
    assert hierarchy.needs_justification(controls)
    assert hierarchy.best_level([]) is None
    assert not hierarchy.needs_justification([])


def test_a_plan_with_a_higher_level_needs_no_justification():
    assert not hierarchy.needs_justification([control(L.PPE), control(L.ENGINEERING, pk=2)])
    assert hierarchy.needs_justification([control(L.PPE), control(L.ADMINISTRATIVE, pk=2)])


def test_lower_level_only_plans_above_the_acceptable_level_are_warned():
    lower = [control(L.PPE), control(L.ADMINISTRATIVE, pk=2)]
    codes = {w.code for w in hierarchy.warnings(lower, residual=12, acceptable=6, justification="")}
    assert codes == {"lower_only", "justification_missing"}
    # Justified, but still above the acceptable level with nothing higher considered.
    codes = {
        w.code
        for w in hierarchy.warnings(lower, residual=12, acceptable=6, justification="No option")
    }
    assert codes == {"lower_only"}
    # Within the acceptable level: only the missing justification.
    codes = {w.code for w in hierarchy.warnings(lower, residual=4, acceptable=6, justification="")}
    assert codes == {"justification_missing"}


def test_a_higher_level_considered_and_turned_down_silences_the_lower_only_warning():
    plan = [control(L.PPE), control(L.ELIMINATION, S.NOT_ADOPTED, pk=2)]
    codes = {
        w.code for w in hierarchy.warnings(plan, residual=12, acceptable=6, justification="Why")
    }
    assert codes == set()
