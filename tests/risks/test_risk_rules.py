"""The Risk register's rules (`pdca.risks.risk_rules`): ratings on the method's scales,
variant fields, treatment, stored scores, significance of aspects, impact assessments, and the
extra part of a risk's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from pdca.core.exceptions import ValidationFailed
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.risks import risk_rules
from pdca.risks.models import AISystem, ImpactAssessment, Risk, RiskMethod, TreatmentAction
from pdca.standards.models import Requirement
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.usefixtures("catalog")

TODAY = dt.date.today()


def risk(org, **fields) -> Risk:
    """An unsaved risk, as the register hands it to the hooks."""
    return Risk(organization=org, code="R-001", title="Supplier fails", **fields)


def errors_of(obj, related=None, check=risk_rules.validate_risk) -> dict[str, str]:
    try:
        check(obj, related or {})
    except ValidationFailed as exc:
        return {e.field: e.message for e in exc.errors}
    return {}


def control(code: str, number: str) -> Requirement:
    return Requirement.objects.select_related("standard").get(standard__code=code, number=number)


def three_level_method(org, **fields) -> RiskMethod:
    return RiskMethod.objects.create(
        organization=org,
        likelihood_labels=["Low", "Medium", "High"],
        impact_labels=["Small", "Big"],
        score_rule=fields.pop("score_rule", "sum"),
        acceptance_threshold=fields.pop("acceptance_threshold", 3),
        bands=[
            {"up_to": 3, "label": "Fine", "colour": "#00ff00"},
            {"up_to": 5, "label": "Bad", "colour": "#ff0000"},
        ],
        **fields,
    )


# --- ratings --------------------------------------------------------------------------------


def test_a_plain_unrated_risk_is_valid(personas):
    assert errors_of(risk(personas.org)) == {}


def test_ratings_within_the_default_scales_are_valid(personas):
    r = risk(
        personas.org,
        inherent_likelihood=5,
        inherent_impact=1,
        residual_likelihood=1,
        residual_impact=1,
        treatment="reduce",
        status="treating",
    )
    assert errors_of(r) == {}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"inherent_likelihood": 0, "inherent_impact": 1},
            "inherent_likelihood",
            "Choose a level from 1 (Rare) to 5 (Almost certain).",
        ),
        (
            {"inherent_likelihood": 1, "inherent_impact": 6},
            "inherent_impact",
            "Choose a level from 1 (Negligible) to 5 (Severe).",
        ),
        (
            {"inherent_likelihood": 3},
            "inherent_impact",
            "Rate inherent impact together with inherent likelihood, or leave both empty.",
        ),
        (
            {"inherent_impact": 3},
            "inherent_likelihood",
            "Rate inherent likelihood together with inherent impact, or leave both empty.",
        ),
        (
            {"inherent_likelihood": 2, "inherent_impact": 2, "residual_likelihood": 1},
            "residual_impact",
            "Rate residual impact together with residual likelihood, or leave both empty.",
        ),
        (
            {"residual_likelihood": 1, "residual_impact": 1},
            "inherent_likelihood",
            "Rate the risk before treatment (inherent) before rating it after.",
        ),
        (
            {
                "inherent_likelihood": 2,
                "inherent_impact": 2,
                "residual_likelihood": 1,
                "residual_impact": 5,
            },
            "residual_likelihood",
            "The residual score (5) may not exceed the inherent score (4): treatment does not "
            "make a risk worse.",
        ),
    ],
)
def test_rating_errors_name_the_field(personas, fields, field, message):
    assert errors_of(risk(personas.org, **fields)) == {field: message}


def test_ratings_follow_the_saved_method(personas):
    three_level_method(personas.org)
    assert (
        errors_of(risk(personas.org, inherent_likelihood=3, inherent_impact=2, treatment="reduce"))
        == {}
    )
    assert errors_of(risk(personas.org, inherent_likelihood=4, inherent_impact=3)) == {
        "inherent_likelihood": "Choose a level from 1 (Low) to 3 (High).",
        "inherent_impact": "Choose a level from 1 (Small) to 2 (Big).",
    }


# --- variants -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "missing"),
    [
        ("aspect", {"activity", "condition", "environmental_impact"}),
        ("hazard", {"activity", "hazard_type"}),
        ("infosec", {"asset", "threat", "confidentiality"}),
        ("risk", set()),
        ("opportunity", set()),
    ],
)
def test_each_variant_names_the_fields_it_needs(personas, kind, missing):
    assert set(errors_of(risk(personas.org, kind=kind))) == missing


def test_complete_variants_are_valid(personas):
    org = personas.org
    aspect = risk(
        org,
        kind="aspect",
        activity="Painting",
        condition="normal",
        environmental_impact="Solvent emissions to air",
        legal_obligation=True,
    )
    hazard = risk(
        org, kind="hazard", activity="Lathe work", hazard_type="mechanical", exposed="Machinists"
    )
    infosec = risk(
        org,
        kind="infosec",
        asset="Customer drawings",
        threat="Theft",
        vulnerability="Shared accounts",
        integrity=True,
    )
    assert errors_of(aspect) == {}
    assert errors_of(hazard) == {}
    assert errors_of(infosec, {"controls": [control("iso27001-2022", "A.5.1")]}) == {}


def test_an_aspect_error_message(personas):
    assert errors_of(risk(personas.org, kind="aspect", activity="x", condition="normal")) == {
        "environmental_impact": "An environmental aspect needs this field."
    }


def test_infosec_controls_must_be_annex_a_controls_of_27001(personas):
    infosec = risk(
        personas.org, kind="infosec", asset="ERP", threat="Ransomware", availability=True
    )
    ai_control = Requirement.objects.filter(standard__code="iso42001-2023", kind="control").first()
    clause = control("iso27001-2022", "6.1.3")
    errors = errors_of(
        infosec, {"controls": [control("iso27001-2022", "A.5.1"), clause, ai_control]}
    )
    assert errors == {
        "controls": f"Choose Annex A controls of ISO/IEC 27001 only; not: {clause}, {ai_control}."
    }


@pytest.mark.parametrize(
    ("kind", "fields", "related", "field"),
    [
        ("risk", {"hazard_type": "chemical"}, {}, "hazard_type"),
        ("opportunity", {"asset": "ERP"}, {}, "asset"),
        (
            "hazard",
            {"activity": "Welding", "hazard_type": "physical", "legal_obligation": True},
            {},
            "legal_obligation",
        ),
        (
            "aspect",
            {
                "activity": "Painting",
                "condition": "normal",
                "environmental_impact": "Air",
                "exposed": "Painters",
            },
            {},
            "exposed",
        ),
        (
            "infosec",
            {"asset": "ERP", "threat": "Fire", "availability": True, "activity": "Backups"},
            {},
            "activity",
        ),
        ("risk", {"confidentiality": True}, {}, "confidentiality"),
        (
            "aspect",
            {"activity": "Painting", "condition": "normal", "environmental_impact": "Air"},
            "A.5.1",
            "controls",
        ),
    ],
)
def test_fields_of_another_variant_must_stay_empty(personas, kind, fields, related, field):
    if related:
        related = {"controls": [control("iso27001-2022", related)]}
    errors = errors_of(risk(personas.org, kind=kind, **fields), related)
    assert list(errors) == [field]
    assert errors[field].startswith("This field is not used for a")


# --- treatment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        # 3 × 3 = 9 > 6: once assessed, a treatment is needed.
        ({"status": "identified"}, {}),
        (
            {"status": "assessed"},
            {
                "treatment": "The inherent score (9) is above the "
                "acceptance threshold (6): choose a treatment."
            },
        ),
        ({"status": "treating", "treatment": "reduce"}, {}),
        (
            {"status": "assessed", "treatment": "accept"},
            {
                "treatment_plan": "Accepting a risk scored 9, above the acceptance threshold (6), "
                "needs a justification: write it in the treatment plan."
            },
        ),
        (
            {"status": "identified", "treatment": "accept", "treatment_plan": "  "},
            {
                "treatment_plan": "Accepting a risk scored 9, above the acceptance threshold (6), "
                "needs a justification: write it in the treatment plan."
            },
        ),
        ({"status": "assessed", "treatment": "accept", "treatment_plan": "Cheaper to bear."}, {}),
        ({"status": "assessed", "kind": "opportunity"}, {}),
    ],
)
def test_treatment_above_the_threshold(personas, fields, errors):
    r = risk(personas.org, inherent_likelihood=3, inherent_impact=3, **fields)
    assert errors_of(r) == errors


def test_no_treatment_needed_at_or_below_the_threshold(personas):
    r = risk(
        personas.org, inherent_likelihood=2, inherent_impact=3, status="closed", treatment="accept"
    )
    assert errors_of(r) == {}


# --- scores and significance ----------------------------------------------------------------


def test_apply_scores_on_the_default_and_a_saved_method(personas):
    r = risk(
        personas.org,
        inherent_likelihood=3,
        inherent_impact=2,
        residual_likelihood=1,
        residual_impact=2,
    )
    risk_rules.apply_scores(r)
    assert (r.inherent_score, r.residual_score) == (6, 2)
    three_level_method(personas.org)
    risk_rules.apply_scores(r)
    assert (r.inherent_score, r.residual_score) == (5, 3)
    unrated = risk(personas.org)
    risk_rules.apply_scores(unrated)
    assert (unrated.inherent_score, unrated.residual_score) == (None, None)


@pytest.mark.parametrize(
    ("fields", "significant"),
    [
        ({"kind": "aspect"}, False),
        ({"kind": "aspect", "legal_obligation": True}, True),
        ({"kind": "aspect", "inherent_score": 7}, True),
        ({"kind": "aspect", "inherent_score": 6}, False),
        ({"kind": "aspect", "inherent_score": 12, "residual_score": 4}, False),
        ({"kind": "aspect", "inherent_score": 12, "residual_score": 8}, True),
        ({"kind": "hazard", "inherent_score": 25}, False),
        ({"kind": "risk", "legal_obligation": True}, False),
    ],
)
def test_is_significant(personas, fields, significant):
    assert risk_rules.is_significant(risk(personas.org, **fields)) is significant


def test_is_significant_uses_the_method_threshold(personas):
    three_level_method(personas.org, acceptance_threshold=2)
    assert risk_rules.is_significant(risk(personas.org, kind="aspect", inherent_score=3))


# --- impact assessments ---------------------------------------------------------------------


def assessment(org, **fields) -> ImpactAssessment:
    system = AISystem.objects.create(organization=org, name="Camera", purpose="QC", role="user")
    return ImpactAssessment(
        organization=org, ai_system=system, title="Camera", assessed_on=TODAY, **fields
    )


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({}, {}),
        ({"likelihood": 3, "severity": 2}, {}),
        (
            {"likelihood": 4, "severity": 1},
            {"likelihood": "Choose a level from 1 (Low) to 3 (High)."},
        ),
        (
            {"likelihood": 1, "severity": 3},
            {"severity": "Choose a level from 1 (Small) to 2 (Big)."},
        ),
        (
            {"likelihood": 2},
            {"severity": "Rate the severity together with the likelihood, or leave both empty."},
        ),
        (
            {"severity": 2},
            {"likelihood": "Rate the likelihood together with the severity, or leave both empty."},
        ),
    ],
)
def test_validate_impact_assessment(personas, fields, errors):
    three_level_method(personas.org)
    obj = assessment(personas.org, **fields)
    assert errors_of(obj, check=risk_rules.validate_impact_assessment) == errors


def test_apply_impact_score(personas):
    obj = assessment(personas.org, likelihood=4, severity=5)
    risk_rules.apply_impact_score(obj)
    assert obj.score == 20
    obj.severity = None
    risk_rules.apply_impact_score(obj)
    assert obj.score is None


# --- the risk's page ------------------------------------------------------------------------


def request_for(user, org):
    request = RequestFactory().get("/risks/1/")
    request.user = user
    request.organization = org
    return request


def saved_risk(org, **fields) -> Risk:
    r = risk(org, **fields)
    risk_rules.apply_scores(r)
    r.save()
    return r


def test_detail_context_rates_and_places_the_risk(personas):
    r = saved_risk(
        personas.org,
        inherent_likelihood=4,
        inherent_impact=4,
        residual_likelihood=2,
        residual_impact=3,
        treatment="reduce",
        status="treating",
    )
    extra = risk_rules.risk_detail_context(request_for(personas.employee, personas.org), r)
    (before_label, before), (after_label, after) = extra["ratings"]
    assert (before_label, after_label) == ("Before treatment", "After treatment")
    assert (before["chip"].score, before["chip"].band, before["chip"].colour) == (
        16,
        "High",
        "#ef6c00",
    )
    assert (before["likelihood"], before["impact"]) == ("4 Likely", "4 Major")
    assert (after["chip"].score, after["chip"].band, after["chip"].acceptable) == (
        6,
        "Medium",
        True,
    )
    assert extra["threshold"] == 6
    marked = [
        (c["cell"].likelihood, c["cell"].impact)
        for row in extra["heatmap"]
        for c in row["cells"]
        if c["cell"].marked
    ]
    assert marked == [(2, 3)]  # where it stands now: after treatment
    assert extra["add_action_url"] is None  # an employee reads only


def test_detail_context_for_an_unrated_aspect(personas):
    r = saved_risk(
        personas.org,
        kind="aspect",
        activity="Painting",
        condition="normal",
        environmental_impact="Air",
        legal_obligation=True,
    )
    extra = risk_rules.risk_detail_context(request_for(personas.manager, personas.org), r)
    assert extra["heatmap"] is None
    assert extra["is_aspect"] and extra["significant"]
    assert extra["add_action_url"] == f"/risks/{r.pk}/actions/new/"
    html = render_to_string("risks/_risk_detail.html", {"object": r, "extra": extra})
    assert html.count("Not rated") == 2
    assert 'id="significance"' in html and "Significant" in html


def make_action(r, index=0, **fields) -> TreatmentAction:
    defaults = {"description": f"Action {index}", "due_date": TODAY + dt.timedelta(days=index)}
    return TreatmentAction.objects.create(
        organization=r.organization, risk=r, **{**defaults, **fields}
    )


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_detail_actions_and_links_by_role(personas, role):
    user = personas.users[role]
    r = saved_risk(personas.org, inherent_likelihood=2, inherent_impact=2)
    late = make_action(r, 0, due_date=TODAY - dt.timedelta(days=1), owner=user)
    done = make_action(r, 1, status="done", completed_on=TODAY)
    extra = risk_rules.risk_detail_context(request_for(user, personas.org), r)
    by_pk = {a.pk: a for a in extra["actions"]}
    assert list(by_pk) == [late.pk, done.pk]  # open ones first, then by due date
    assert by_pk[late.pk].overdue and not by_pk[done.pk].overdue
    manages = role in IMPLEMENTERS
    assert (by_pk[late.pk].edit_url is not None) is manages
    assert (by_pk[late.pk].delete_url is not None) is manages
    # The owner of an action may mark it done even without managing the risk.
    assert (by_pk[late.pk].complete_url is not None) is (manages or role == "process_owner")
    assert by_pk[done.pk].complete_url is None
    html = render_to_string("risks/_risk_detail.html", {"object": r, "extra": extra})
    assert "Action 0" in html and "overdue" in html
    assert ("Add action" in html) is manages


def test_process_owner_manages_the_actions_of_their_risk(personas):
    owner = personas.users["process_owner"]
    r = saved_risk(personas.org, owner=owner)
    make_action(r)
    extra = risk_rules.risk_detail_context(request_for(owner, personas.org), r)
    assert extra["add_action_url"] is not None
    assert extra["actions"][0].edit_url is not None


def test_detail_context_queries_do_not_grow_with_actions(personas):
    r = saved_risk(personas.org, inherent_likelihood=2, inherent_impact=2)
    request = request_for(personas.manager, personas.org)

    def render():
        extra = risk_rules.risk_detail_context(request, r)
        return render_to_string("risks/_risk_detail.html", {"object": r, "extra": extra})

    for i in range(2):
        make_action(r, i, owner=personas.manager)
    render()  # warm the role cache
    small, _ = count_queries(render)
    for i in range(2, 12):
        make_action(r, i, owner=personas.employee)
    large, _ = count_queries(render)
    assert large == small
