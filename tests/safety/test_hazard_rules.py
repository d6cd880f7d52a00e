"""Hazards through the register services: scoring against the method snapshot, the
justification a lower-level plan needs, codes."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import ValidationFailed
from pdca.core.registers.services import create_entry, update_entry
from pdca.safety.registers import HAZARD_CONTROLS, HAZARDS
from pdca.safety.services.method import update_method

pytestmark = pytest.mark.django_db


def _hazard(personas, **fields):
    values = {
        "title": "Metalworking fluid on skin",
        "activity": "Loading parts on the lathe",
        "hazard_type": "chemical",
        "affects_employees": True,
        "likelihood_before": 4,
        "severity_before": 3,
        "likelihood_after": 2,
        "severity_after": 3,
        **fields,
    }
    return create_entry(HAZARDS, personas.org, actor=personas.manager, **values)


def test_a_hazard_is_scored_on_the_method_and_keeps_a_copy_of_it(personas):
    hazard = _hazard(personas)
    assert hazard.code == "HZ-001"
    assert (hazard.score_before, hazard.score_after) == (12, 6)
    assert hazard.method_snapshot["acceptable_level"] == 6
    assert hazard.method_snapshot["severity_labels"][2] == "Lost-time injury or ill health"


def test_changing_the_method_keeps_earlier_scores_readable(personas):
    hazard = _hazard(personas)
    update_method(
        personas.org,
        actor=personas.manager,
        likelihood_labels=["Low", "Medium", "High", "Very high"],
        severity_labels=["Slight", "Serious", "Severe", "Grave"],
        score_rule="sum",
        acceptable_level=4,
    )
    # Another field changes: the hazard keeps the method it was scored with.
    hazard = update_entry(HAZARDS, hazard, actor=personas.manager, location="Cell 3")
    assert (hazard.score_before, hazard.score_after) == (12, 6)
    assert hazard.method_snapshot["score_rule"] == "product"
    assert hazard.method_snapshot["likelihood_labels"][3] == "Likely"
    # Re-rating scores it on the current method, on its scales.
    with pytest.raises(ValidationFailed) as caught:
        update_entry(HAZARDS, hazard, actor=personas.manager, severity_before=5)
    assert caught.value.errors[0].field == "severity_before"
    hazard = update_entry(HAZARDS, hazard, actor=personas.manager, severity_before=4)
    assert (hazard.score_before, hazard.score_after) == (8, 5)
    assert hazard.method_snapshot["score_rule"] == "sum"
    assert hazard.method_snapshot["acceptable_level"] == 4


def test_the_residual_score_may_not_exceed_the_score_without_controls(personas):
    with pytest.raises(ValidationFailed) as caught:
        _hazard(personas, likelihood_after=5, severity_after=5)
    assert caught.value.errors[0].field == "likelihood_after"


def test_a_ppe_only_plan_needs_the_hazards_justification(personas):
    hazard = _hazard(personas)
    with pytest.raises(ValidationFailed) as caught:
        create_entry(
            HAZARD_CONTROLS,
            personas.org,
            actor=personas.manager,
            hazard=hazard,
            title="Nitrile gloves",
            level="ppe",
        )
    assert caught.value.errors[0].field == "level"
    assert caught.value.errors[0].code == "justification_required"
    # With an engineering control first, PPE on top needs no justification.
    create_entry(
        HAZARD_CONTROLS,
        personas.org,
        actor=personas.manager,
        hazard=hazard,
        title="Splash guards on the lathe",
        level="engineering",
    )
    gloves = create_entry(
        HAZARD_CONTROLS,
        personas.org,
        actor=personas.manager,
        hazard=hazard,
        title="Nitrile gloves",
        level="ppe",
    )
    assert gloves.rank == 5


def test_a_justified_hazard_may_rest_on_administrative_controls(personas):
    hazard = _hazard(
        personas, higher_controls_justification="Coolant is needed to cut; enclosure planned"
    )
    control = create_entry(
        HAZARD_CONTROLS,
        personas.org,
        actor=personas.manager,
        hazard=hazard,
        title="Skin care and hand-washing routine",
        level="administrative",
    )
    assert control.rank == 4
    # Removing the justification now is refused on the hazard.
    with pytest.raises(ValidationFailed) as caught:
        update_entry(HAZARDS, hazard, actor=personas.manager, higher_controls_justification="")
    assert caught.value.errors[0].field == "higher_controls_justification"


def test_the_hazard_page_lists_controls_in_hierarchy_order_and_warns(client, personas):
    from pdca.core.testing.api_bundle import login

    hazard = _hazard(
        personas,
        likelihood_after=4,
        severity_after=3,
        higher_controls_justification="Bar must be handled by hand at the saw",
    )
    for title, level in (("Gloves", "ppe"), ("Lifting procedure", "administrative")):
        create_entry(
            HAZARD_CONTROLS,
            personas.org,
            actor=personas.manager,
            hazard=hazard,
            title=title,
            level=level,
        )
    login(client, personas.manager)
    html = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert html.index("Lifting procedure") < html.index("Gloves")
    assert 'data-warning="lower_only"' in html


def test_a_closed_hazard_and_one_an_incident_names_are_records(personas):
    from tests.safety.factories import make_incident

    hazard = _hazard(personas)
    assert hazard.record_reason() is None
    make_incident(personas.org).hazards.add(hazard)
    assert hazard.record_reason() == "an incident names it"
