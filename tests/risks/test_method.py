"""The risk method: reading it, its validation, saving it (which re-scores the register), its
pages and its API, with the permission matrix over every role.

RiskMethod is one per organization, so tests/test_meta.py exempts it from the generic bundles;
its role matrix is written out here.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.risks.method import services as method_services
from pdca.risks.models import AISystem, ImpactAssessment, Risk, RiskMethod
from pdca.risks.models.method import default_bands
from pdca.risks.permissions import RISK_KEEPERS

# --- helpers ----------------------------------------------------------------------------------

ROLES = sorted(ALL_ROLES)
API = "/api/v1/risk-method/"
LIKELIHOOD = ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"]
IMPACT = ["Negligible", "Minor", "Moderate", "Major", "Severe"]


def valid_fields(**overrides) -> dict:
    return {
        "name": "Our method",
        "likelihood_labels": list(LIKELIHOOD),
        "impact_labels": list(IMPACT),
        "score_rule": "product",
        "acceptance_threshold": 6,
        "bands": default_bands(),
        **overrides,
    }


def make_risk(org, index=0, **fields) -> Risk:
    return Risk.objects.create(
        organization=org, code=f"R-{index:03}", title=f"Risk {index}", **fields
    )


def make_assessment(org, index=0, **fields) -> ImpactAssessment:
    system = AISystem.objects.get_or_create(
        organization=org, name="Inspection camera", defaults={"purpose": "QC", "role": "user"}
    )[0]
    return ImpactAssessment.objects.create(
        organization=org,
        ai_system=system,
        title=f"Assessment {index}",
        assessed_on=dt.date(2026, 1, 5),
        **fields,
    )


def method_entries(org):
    return ActivityEntry.objects.filter(object_type="risks.riskmethod", organization=org)


# --- method_for and validate_method -----------------------------------------------------------


def test_method_for_gives_an_unsaved_default_without_writing(personas, django_assert_num_queries):
    with django_assert_num_queries(1):
        method = method_services.method_for(personas.org)
    assert method.pk is None
    assert method.organization == personas.org
    assert method.likelihood_labels == LIKELIHOOD
    assert method.impact_labels == IMPACT
    assert (method.score_rule, method.acceptance_threshold) == ("product", 6)
    assert not RiskMethod.objects.exists()


def test_method_for_gives_the_saved_method(personas):
    saved = RiskMethod.objects.create(organization=personas.org, name="Saved")
    RiskMethod.objects.create(organization=personas.other, name="Theirs")
    assert method_services.method_for(personas.org) == saved


def test_the_default_method_is_valid(personas):
    method_services.validate_method(RiskMethod(organization=personas.org))


BAD = [
    ({"name": "  "}, "name"),
    ({"likelihood_labels": ["Only"]}, "likelihood_labels"),
    ({"likelihood_labels": [f"L{i}" for i in range(11)]}, "likelihood_labels"),
    ({"likelihood_labels": "Rare, Likely"}, "likelihood_labels"),
    ({"likelihood_labels": ["Rare", "", "Likely"]}, "likelihood_labels.1"),
    ({"impact_labels": ["Low", "High", "low"]}, "impact_labels.2"),
    ({"impact_labels": ["Low", "x" * 61]}, "impact_labels.1"),
    ({"score_rule": "average"}, "score_rule"),
    ({"acceptance_threshold": 0}, "acceptance_threshold"),
    ({"acceptance_threshold": 26}, "acceptance_threshold"),
    ({"acceptance_threshold": "6"}, "acceptance_threshold"),
    ({"bands": []}, "bands"),
    ({"bands": "Low"}, "bands"),
    ({"bands": [{"up_to": 25, "label": "All"}]}, "bands.0"),
    (
        {"bands": [{"up_to": 9, "label": "L", "colour": "#000000"}] * 2},
        "bands.1.up_to",
    ),
    ({"bands": [{"up_to": 24, "label": "L", "colour": "#000000"}]}, "bands.0.up_to"),
    ({"bands": [{"up_to": 0, "label": "L", "colour": "#000000"}]}, "bands.0.up_to"),
    ({"bands": [{"up_to": 25, "label": " ", "colour": "#000000"}]}, "bands.0.label"),
    (
        {
            "bands": [
                {"up_to": 9, "label": "Low", "colour": "#00ff00"},
                {"up_to": 25, "label": "High", "colour": "red"},
            ]
        },
        "bands.1.colour",
    ),
]


@pytest.mark.parametrize(("overrides", "field"), BAD)
def test_validate_method_names_the_faulty_field(personas, overrides, field):
    method = RiskMethod(organization=personas.org, **valid_fields(**overrides))
    with pytest.raises(ValidationFailed) as caught:
        method_services.validate_method(method)
    assert field in [e.field for e in caught.value.errors]


def test_validate_method_reports_every_problem_at_once(personas):
    method = RiskMethod(
        organization=personas.org,
        **valid_fields(
            likelihood_labels=["A", "A"],
            score_rule="x",
            bands=[{"up_to": 25, "label": "", "colour": "#zzzzzz"}],
        ),
    )
    with pytest.raises(ValidationFailed) as caught:
        method_services.validate_method(method)
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("likelihood_labels.1", "Likelihood level 2 repeats the label of level 1 (A)."),
        ("score_rule", "Choose one of: product, sum, max."),
        ("bands.0.label", "Band 1 has no label."),
        ("bands.0.colour", "Band 1: the colour must be written #rrggbb, e.g. #2e7d32."),
    ]


@pytest.mark.parametrize(("rule", "top"), [("product", 12), ("sum", 7), ("max", 4)])
def test_the_last_band_and_the_threshold_must_fit_the_highest_score(personas, rule, top):
    fields = valid_fields(
        likelihood_labels=["a", "b", "c"],
        impact_labels=["1", "2", "3", "4"],
        score_rule=rule,
        acceptance_threshold=top,
        bands=[{"up_to": top, "label": "All", "colour": "#123456"}],
    )
    method_services.validate_method(RiskMethod(organization=personas.org, **fields))
    too_high = RiskMethod(organization=personas.org, **{**fields, "acceptance_threshold": top + 1})
    with pytest.raises(ValidationFailed) as caught:
        method_services.validate_method(too_high)
    assert caught.value.errors[0].message == (
        f"The threshold must be between 1 and the highest score ({top})."
    )
    short = {**fields, "bands": [{"up_to": top - 1, "label": "All", "colour": "#123456"}]}
    with pytest.raises(ValidationFailed) as caught:
        method_services.validate_method(RiskMethod(organization=personas.org, **short))
    assert caught.value.errors[0].message == (
        f"The last band must reach the highest score ({top}); it stops at {top - 1}."
    )


# --- update_method ----------------------------------------------------------------------------


def test_first_save_creates_the_method_and_scores_the_register(personas):
    org = personas.org
    make_risk(
        org, 0, inherent_likelihood=4, inherent_impact=5, residual_likelihood=2, residual_impact=3
    )
    make_risk(org, 1)
    make_assessment(org, 0, likelihood=3, severity=3)
    make_risk(personas.other, 0, inherent_likelihood=2, inherent_impact=2)
    method = method_services.update_method(
        org,
        actor=personas.manager,
        **valid_fields(
            score_rule="sum",
            acceptance_threshold=5,
            bands=[{"up_to": 10, "label": "All", "colour": "#ABCDEF"}],
        ),
    )
    assert RiskMethod.objects.get(organization=org) == method
    assert method.bands == [{"up_to": 10, "label": "All", "colour": "#abcdef"}]
    scores = dict(Risk.objects.filter(organization=org).values_list("code", "inherent_score"))
    assert scores == {"R-000": 9, "R-001": None}
    assert Risk.objects.get(organization=org, code="R-000").residual_score == 5
    assert ImpactAssessment.objects.get(organization=org).score == 6
    # Another organization's register is not touched.
    assert Risk.objects.get(organization=personas.other).inherent_score is None
    entry = method_entries(org).get()
    assert (entry.action, entry.actor, entry.object_id) == (
        "create",
        personas.manager,
        str(method.pk),
    )
    assert entry.message == (
        "Re-scored 2 risks (1 changed) and 1 AI impact assessment (1 changed)."
    )
    assert entry.changes["score_rule"] == [None, "sum"]


def test_changing_the_rule_re_scores_every_risk(personas):
    org = personas.org
    method_services.update_method(org, actor=personas.manager, **valid_fields())
    risk = make_risk(org, 0, inherent_likelihood=3, inherent_impact=4, inherent_score=12)
    method_services.update_method(
        org, actor=personas.manager, **valid_fields(score_rule="max", acceptance_threshold=3)
    )
    risk.refresh_from_db()
    assert (risk.inherent_score, risk.residual_score) == (4, None)
    entry = method_entries(org).filter(action="update").get()
    assert entry.changes["score_rule"] == ["product", "max"]
    assert entry.changes["acceptance_threshold"] == [6, 3]
    assert entry.message == "Re-scored 1 risk (1 changed) and 0 AI impact assessments (0 changed)."


def test_shrinking_a_scale_in_use_is_refused_and_changes_nothing(personas):
    org = personas.org
    method = method_services.update_method(org, actor=personas.manager, **valid_fields())
    make_risk(org, 0, inherent_likelihood=5, inherent_impact=1)
    make_risk(
        org, 1, inherent_likelihood=4, inherent_impact=1, residual_likelihood=5, residual_impact=1
    )
    make_assessment(org, 0, likelihood=2, severity=5)
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        method_services.update_method(
            org,
            actor=personas.manager,
            **valid_fields(
                likelihood_labels=LIKELIHOOD[:4],
                impact_labels=IMPACT[:4],
                bands=[{"up_to": 16, "label": "All", "colour": "#000000"}],
            ),
        )
    assert [(e.field, e.message, e.code) for e in caught.value.errors] == [
        (
            "likelihood_labels",
            "2 risks still use a level above 4 on the likelihood scale: re-rate them before "
            "shortening it.",
            "in_use",
        ),
        (
            "impact_labels",
            "1 AI impact assessment still uses a level above 4 on the impact scale: re-rate them "
            "before shortening it.",
            "in_use",
        ),
    ]
    method.refresh_from_db()
    assert method.likelihood_labels == LIKELIHOOD
    assert ActivityEntry.objects.count() == entries


def test_relabelling_or_growing_a_scale_in_use_is_allowed(personas):
    org = personas.org
    make_risk(org, 0, inherent_likelihood=5, inherent_impact=5)
    method_services.update_method(
        org,
        actor=personas.manager,
        **valid_fields(
            likelihood_labels=["a", "b", "c", "d", "e", "f"],
            bands=[{"up_to": 30, "label": "All", "colour": "#000000"}],
        ),
    )
    assert Risk.objects.get(organization=org).inherent_score == 25


def test_invalid_method_writes_nothing(personas):
    with pytest.raises(ValidationFailed):
        method_services.update_method(
            personas.org, actor=personas.manager, **valid_fields(score_rule="average")
        )
    assert not RiskMethod.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="risks.riskmethod").exists()


def test_unknown_fields_are_refused(personas):
    with pytest.raises(ValidationFailed) as caught:
        method_services.update_method(personas.org, actor=personas.manager, colour="#000000")
    assert caught.value.errors[0].field == "colour"


@pytest.mark.parametrize("role", ROLES)
def test_update_method_by_role(personas, role):
    org = personas.org_for(role)
    user = personas.users[role]
    if role in RISK_KEEPERS:
        method_services.update_method(org, actor=user, **valid_fields())
        assert method_entries(org).get().actor == user
    else:
        with pytest.raises(PermissionDenied):
            method_services.update_method(org, actor=user, **valid_fields())
        assert not RiskMethod.objects.filter(organization=org).exists()
        assert not method_entries(org).exists()


def test_outsider_cannot_update_our_method(personas):
    with pytest.raises(PermissionDenied):
        method_services.update_method(personas.org, actor=personas.outsider, **valid_fields())
    assert not RiskMethod.objects.exists()


def test_re_scoring_takes_the_same_queries_whatever_the_number_of_risks(personas):
    org = personas.org

    def save(rule):
        return count_queries(
            lambda: method_services.update_method(
                org, actor=personas.manager, **valid_fields(score_rule=rule, acceptance_threshold=3)
            )
        )[0]

    method_services.update_method(org, actor=personas.manager, **valid_fields())
    for i in range(2):
        make_risk(org, i, inherent_likelihood=2, inherent_impact=3)
        make_assessment(org, i, likelihood=1, severity=2)
    small = save("sum")
    for i in range(2, 30):
        make_risk(org, i, inherent_likelihood=2, inherent_impact=3)
        make_assessment(org, i, likelihood=1, severity=2)
    large = save("max")
    assert large == small


# --- pages ------------------------------------------------------------------------------------


def test_pages_send_anonymous_visitors_to_sign_in(client):
    for name in ("risks:method", "risks:method-edit"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
def test_method_page_by_role(client, personas, role):
    org = personas.org_for(role)
    RiskMethod.objects.create(organization=org, name=f"Method of {org.slug}")
    login(client, personas.users[role])
    response = client.get(reverse("risks:method"))
    if role in ALL_ROLES:
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Method of {org.slug}" in html
        assert 'id="score-matrix"' in html
        assert ("risks/method/edit/" in html) is (role in RISK_KEEPERS)
    else:
        assert response.status_code == 403
    expected = 200 if role in RISK_KEEPERS else 403
    assert client.get(reverse("risks:method-edit")).status_code == expected


def test_method_page_shows_scales_bands_and_matrix(client, personas):
    login(client, personas.employee)
    response = client.get(reverse("risks:method"))
    html = response.content.decode()
    assert 'id="method-default"' in html
    for label in LIKELIHOOD + IMPACT + ["Low", "Medium", "High", "Critical", "#c62828"]:
        assert label in html
    assert "5 to 9" in html  # the Medium band's range
    matrix = html.split('id="score-matrix"', 1)[1].split("</table>", 1)[0]
    assert matrix.count("<td") == 25
    assert 'data-likelihood="5" data-impact="5"' in matrix


def test_outsider_sees_only_their_own_method(client, personas):
    RiskMethod.objects.create(organization=personas.org, name="Org A secret method")
    login(client, personas.outsider)
    response = client.get(reverse("risks:method"))
    assert response.status_code == 200
    assert "Org A secret method" not in response.content.decode()


def form_data(**overrides) -> dict:
    return {
        "name": "Our method",
        "likelihood_labels": "\n".join(LIKELIHOOD),
        "impact_labels": "\n".join(IMPACT),
        "score_rule": "product",
        "acceptance_threshold": "8",
        "bands": "4 Low #2e7d32\n9 Medium #f9a825\n\n16 High #ef6c00\n25 Critical #C62828\n",
        **overrides,
    }


@pytest.mark.parametrize("role", ROLES)
def test_edit_method_by_role(client, personas, role):
    org = personas.org_for(role)
    risk = make_risk(org, 0, inherent_likelihood=3, inherent_impact=3)
    login(client, personas.users[role])
    response = client.post(reverse("risks:method-edit"), form_data())
    if role in RISK_KEEPERS:
        assert response.status_code == 302
        assert response["Location"] == reverse("risks:method")
        method = RiskMethod.objects.get(organization=org)
        assert method.acceptance_threshold == 8
        assert method.bands[-1] == {"up_to": 25, "label": "Critical", "colour": "#c62828"}
        risk.refresh_from_db()
        assert risk.inherent_score == 9
        assert method_entries(org).get().via == "web"
    else:
        assert response.status_code == 403
        assert not RiskMethod.objects.filter(organization=org).exists()
        assert not method_entries(org).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"likelihood_labels": "Only one"},
            "likelihood_labels",
            "The likelihood scale needs 2 to 10 levels; it has 1.",
        ),
        (
            {"impact_labels": "Low\nHigh\nlow"},
            "impact_labels",
            "Impact level 3 repeats the label of level 1 (Low).",
        ),
        ({"bands": "4 Low #2e7d32\n25 High red"}, "bands", "Line 2 (“25 High red”)"),
        (
            {"bands": "4 Low #2e7d32\n25 High #12345z"},
            "bands",
            "Band 2: the colour must be written #rrggbb, e.g. #2e7d32.",
        ),
        (
            {"bands": "4 Low #2e7d32\n20 High #123456"},
            "bands",
            "The last band must reach the highest score (25); it stops at 20.",
        ),
        (
            {"acceptance_threshold": "30"},
            "acceptance_threshold",
            "The threshold must be between 1 and the highest score (25).",
        ),
        ({"score_rule": "average"}, "score_rule", "Select a valid choice."),
    ],
)
def test_edit_method_shows_errors_on_the_field(client, personas, overrides, field, message):
    login(client, personas.manager)
    response = client.post(reverse("risks:method-edit"), form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors.get(field, [])), errors
    assert message.split("“")[0] in response.content.decode().replace("&#x27;", "'")
    assert not RiskMethod.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="risks.riskmethod").exists()


def test_edit_form_starts_from_the_current_method(client, personas):
    RiskMethod.objects.create(
        organization=personas.org,
        name="Mine",
        likelihood_labels=["Low", "High"],
        impact_labels=["Small", "Big"],
        acceptance_threshold=2,
        bands=[{"up_to": 4, "label": "All", "colour": "#000000"}],
    )
    login(client, personas.manager)
    form = client.get(reverse("risks:method-edit")).context["form"]
    assert form.initial == {
        "name": "Mine",
        "likelihood_labels": "Low\nHigh",
        "impact_labels": "Small\nBig",
        "score_rule": "product",
        "acceptance_threshold": 2,
        "bands": "4 All #000000",
    }


def test_shrinking_a_scale_in_use_shows_the_reason_on_the_field(client, personas):
    make_risk(personas.org, 0, inherent_likelihood=5, inherent_impact=1)
    login(client, personas.manager)
    response = client.post(
        reverse("risks:method-edit"),
        form_data(likelihood_labels="a\nb\nc\nd", bands="20 All #000000", acceptance_threshold=4),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["likelihood_labels"] == [
        "1 risk still uses a level above 4 on the likelihood scale: re-rate them before "
        "shortening it."
    ]


# --- API --------------------------------------------------------------------------------------


def put_body(**overrides) -> dict:
    return {k: v for k, v in valid_fields(**overrides).items()}


def test_api_refuses_anonymous_callers(client, personas):
    assert client.get(API).status_code == 401
    response = client.put(API, put_body(), content_type="application/json")
    assert response.status_code == 401
    assert not RiskMethod.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_api_get_by_role(client, personas, role):
    org = personas.org_for(role)
    login(client, personas.users[role])
    response = client.get(API, {"organization": org.slug})
    if role in ALL_ROLES:
        assert response.status_code == 200, response.content
        assert response.json() == {
            "organization": org.slug,
            "saved": False,
            "name": "Risk method",
            "likelihood_labels": LIKELIHOOD,
            "impact_labels": IMPACT,
            "score_rule": "product",
            "acceptance_threshold": 6,
            "max_score": 25,
            "bands": default_bands(),
            "updated_at": None,
        }
        # Someone in one organization need not name it.
        assert client.get(API).json()["organization"] == org.slug
    else:
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", ROLES)
def test_api_put_by_role(client, personas, role):
    org = personas.org_for(role)
    user = personas.users[role]
    make_risk(org, 0, inherent_likelihood=2, inherent_impact=5)
    login(client, user)
    response = client.put(
        f"{API}?organization={org.slug}",
        put_body(
            score_rule="sum",
            acceptance_threshold=4,
            bands=[{"up_to": 10, "label": "All", "colour": "#000000"}],
        ),
        content_type="application/json",
    )
    if role in RISK_KEEPERS:
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["saved"], body["score_rule"], body["max_score"]) == (True, "sum", 10)
        assert Risk.objects.get(organization=org).inherent_score == 7
        entry = method_entries(org).get()
        assert (entry.actor, entry.via) == (user, "api")
    else:
        assert response.status_code == (403 if role in ALL_ROLES else 404)
        assert response["Content-Type"] == "application/problem+json"
        assert not RiskMethod.objects.filter(organization=org).exists()
        assert Risk.objects.get(organization=org).inherent_score is None
        assert not method_entries(org).exists()


def test_api_outsider_gets_404_and_changes_nothing(client, personas):
    method = RiskMethod.objects.create(organization=personas.org, name="Ours")
    login(client, personas.outsider)
    assert client.get(API, {"organization": personas.org.slug}).status_code == 404
    response = client.put(
        f"{API}?organization={personas.org.slug}", put_body(), content_type="application/json"
    )
    assert response.status_code == 404
    method.refresh_from_db()
    assert method.name == "Ours"
    assert not method_entries(personas.org).exists()
    # Their own method is there for them.
    assert client.get(API).json()["organization"] == personas.other.slug


def test_api_asks_which_organization_when_the_user_has_several(client, personas):
    from pdca.tenancy.models import Membership

    Membership.objects.create(organization=personas.other, user=personas.manager, role="employee")
    login(client, personas.manager)
    response = client.get(API)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "organization"
    assert client.get(API, {"organization": "org-b"}).json()["organization"] == "org-b"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"likelihood_labels": ["", "Likely"]}, "likelihood_labels.0"),
        ({"impact_labels": ["Only"]}, "impact_labels"),
        ({"score_rule": "average"}, "score_rule"),
        ({"acceptance_threshold": 99}, "acceptance_threshold"),
        ({"bands": []}, "bands"),
        ({"bands": [{"up_to": 25, "label": "All", "colour": "black"}]}, "bands.0.colour"),
        ({"bands": [{"up_to": "many", "label": "All", "colour": "#000000"}]}, "bands.0.up_to"),
        ({"bands": [{"up_to": 25, "label": "All", "colour": "#000000", "x": 1}]}, "bands.0.x"),
        ({"shade": "dark"}, "shade"),
        ({"name": None}, "name"),
    ],
)
def test_api_put_names_the_bad_field_and_writes_nothing(client, personas, overrides, field):
    login(client, personas.manager)
    body = put_body(**overrides)
    response = client.put(API, body, content_type="application/json")
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]], response.json()
    assert not RiskMethod.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="risks.riskmethod").exists()


def test_api_put_requires_every_field_but_the_name(client, personas):
    login(client, personas.manager)
    body = put_body()
    del body["bands"], body["name"]
    response = client.put(API, body, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["bands"]
    body = put_body()
    del body["name"]
    response = client.put(API, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["name"] == "Risk method"


# --- demo -------------------------------------------------------------------------------------


def test_demo_method_is_loaded_once(db):
    from pdca.accounts.models import User
    from pdca.risks.method import demo as demo_method
    from pdca.tenancy.models import Membership, Organization

    org = Organization.objects.create(name="Acme", slug="acme")
    manager = User.objects.create_user("quality@acme.example", "pw-12345678")
    Membership.objects.create(organization=org, user=manager, role="system_manager")
    demo_method.load({})
    demo_method.load({})
    method = RiskMethod.objects.get(organization=org)
    assert (len(method.likelihood_labels), len(method.impact_labels)) == (5, 5)
    assert method.likelihood_labels == LIKELIHOOD
    assert method_entries(org).get().actor == manager


def test_demo_method_without_the_demo_organization_does_nothing(db):
    from pdca.risks.method import demo as demo_method

    demo_method.load({})
    assert not RiskMethod.objects.exists()
