"""The risk heat map: the counts per cell (inherent or residual, per kind), its page with links
to the filtered risk list, and its API, for every role; constant queries whatever the rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdca.core.roles import ALL_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.risks.heatmap import cell_url, risk_heat_map
from pdca.risks.models import Risk, RiskMethod

pytestmark = pytest.mark.django_db

ROLES = sorted(ALL_ROLES)
API = "/api/v1/risks/heatmap/"


def make_risk(org, index, kind="risk", inherent=(None, None), residual=(None, None)) -> Risk:
    return Risk.objects.create(
        organization=org,
        code=f"R-{index:03}",
        title=f"Risk {index}",
        kind=kind,
        inherent_likelihood=inherent[0],
        inherent_impact=inherent[1],
        residual_likelihood=residual[0],
        residual_impact=residual[1],
    )


@pytest.fixture
def register(personas):
    org = personas.org
    make_risk(org, 1, inherent=(5, 5), residual=(2, 2))
    make_risk(org, 2, inherent=(5, 5), residual=(1, 1))
    make_risk(org, 3, kind="hazard", inherent=(3, 2), residual=(2, 2))
    make_risk(org, 4)
    make_risk(personas.other, 1, inherent=(1, 1))
    return org


def counts(grid) -> dict[tuple[int, int], int]:
    return {(c.likelihood, c.impact): c.count for r in grid.rows for c in r.cells if c.count}


def test_inherent_counts(personas, register):
    grid = risk_heat_map(register, personas.employee)
    assert counts(grid) == {(5, 5): 2, (3, 2): 1}
    assert (grid.total, grid.rated, grid.unrated, grid.off_scale) == (4, 3, 1, 0)


def test_residual_counts_and_kind_filter(personas, register):
    grid = risk_heat_map(register, personas.employee, basis="residual")
    assert counts(grid) == {(2, 2): 2, (1, 1): 1}
    hazards = risk_heat_map(register, personas.employee, kind="hazard", basis="residual")
    assert counts(hazards) == {(2, 2): 1}
    assert hazards.total == 1


def test_risks_outside_the_scales_are_counted_apart(personas):
    RiskMethod.objects.create(
        organization=personas.org,
        likelihood_labels=["Low", "High"],
        impact_labels=["Low", "High"],
        acceptance_threshold=2,
        bands=[{"up_to": 4, "label": "All", "colour": "#000000"}],
    )
    make_risk(personas.org, 1, inherent=(5, 5))
    make_risk(personas.org, 2, inherent=(2, 1))
    grid = risk_heat_map(personas.org, personas.manager)
    assert counts(grid) == {(2, 1): 1}
    assert (grid.rated, grid.off_scale) == (1, 1)


def test_someone_without_a_role_here_sees_no_risk(personas, register):
    assert risk_heat_map(register, personas.outsider).total == 0


def test_an_unknown_basis_is_refused(personas):
    with pytest.raises(ValueError, match="basis must be one of inherent, residual"):
        risk_heat_map(personas.org, personas.manager, basis="current")


def test_cell_url():
    assert cell_url(4, 2, basis="inherent") == "/risks/?inherent_likelihood=4&inherent_impact=2"
    assert cell_url(1, 3, basis="residual", kind="aspect") == (
        "/risks/?residual_likelihood=1&residual_impact=3&kind=aspect"
    )


# --- page -------------------------------------------------------------------------------------


def test_page_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("risks:heatmap"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ROLES)
def test_page_by_role(client, personas, role):
    org = personas.org_for(role)
    make_risk(org, 1, inherent=(4, 3))
    login(client, personas.users[role])
    response = client.get(reverse("risks:heatmap"))
    if role in ALL_ROLES:
        assert response.status_code == 200
        html = response.content.decode()
        assert 'href="/risks/?inherent_likelihood=4&amp;inherent_impact=3"' in html
        assert "1 risk on the map." in html
    else:
        assert response.status_code == 403


def test_page_cells_link_to_the_filtered_list_and_read_as_text(client, personas, register):
    login(client, personas.employee)
    response = client.get(reverse("risks:heatmap"), {"basis": "residual", "kind": "hazard"})
    html = response.content.decode()
    table = html.split('id="heatmap"', 1)[1].split("</table>", 1)[0]
    assert table.count("<td") == 25
    assert table.count("<a ") == 1
    assert 'href="/risks/?residual_likelihood=2&amp;residual_impact=2&amp;kind=hazard"' in table
    assert "Likelihood 2, impact 2: </span>1<span" in table
    assert "OH&amp;S hazards by likelihood and impact, after treatment" in html
    assert "1 risk on the map." in html


def test_page_counts_the_unrated(client, personas, register):
    login(client, personas.employee)
    html = client.get(reverse("risks:heatmap")).content.decode()
    assert "3 risks on the map; 1 not rated yet." in html


def test_page_ignores_a_bad_filter_and_says_so(client, personas, register):
    login(client, personas.employee)
    response = client.get(reverse("risks:heatmap"), {"kind": "dragon", "basis": "later"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"kind", "basis"}
    assert "3 risks on the map" in response.content.decode()


def test_outsider_sees_only_their_own_risks(client, personas, register):
    login(client, personas.outsider)
    html = client.get(reverse("risks:heatmap")).content.decode()
    assert "1 risk on the map." in html  # their own (1, 1)
    assert "inherent_likelihood=5" not in html


def test_page_queries_do_not_grow_with_risks(client, personas):
    login(client, personas.manager)
    for i in range(2):
        make_risk(personas.org, i, inherent=(1 + i, 2))
    small, _ = count_queries(lambda: client.get(reverse("risks:heatmap")))
    for i in range(2, 40):
        make_risk(personas.org, i, inherent=(1 + i % 5, 1 + i % 4))
    large, _ = count_queries(lambda: client.get(reverse("risks:heatmap")))
    assert large == small


# --- API --------------------------------------------------------------------------------------


def test_api_refuses_anonymous_callers(client):
    assert client.get(API).status_code == 401


@pytest.mark.parametrize("role", ROLES)
def test_api_by_role(client, personas, role):
    org = personas.org_for(role)
    make_risk(org, 1, inherent=(2, 3))
    login(client, personas.users[role])
    response = client.get(API, {"organization": org.slug})
    if role in ALL_ROLES:
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["organization"] == org.slug
        cell = body["rows"][3]["cells"][2]
        assert cell == {
            "likelihood": 2,
            "impact": 3,
            "count": 1,
            "score": 6,
            "band": "Medium",
            "colour": "#f9a825",
        }
    else:
        assert response.status_code == 404


def test_api_grid(client, personas, register):
    login(client, personas.employee)
    body = client.get(API, {"basis": "residual"}).json()
    assert {k: v for k, v in body.items() if k != "rows"} == {
        "organization": "org-a",
        "kind": None,
        "basis": "residual",
        "impact_labels": ["Negligible", "Minor", "Moderate", "Major", "Severe"],
        "total": 4,
        "rated": 3,
        "unrated": 1,
        "off_scale": 0,
    }
    assert [row["likelihood"] for row in body["rows"]] == [5, 4, 3, 2, 1]
    assert body["rows"][0]["label"] == "Almost certain"
    found = {
        (c["likelihood"], c["impact"]): c["count"]
        for row in body["rows"]
        for c in row["cells"]
        if c["count"]
    }
    assert found == {(2, 2): 2, (1, 1): 1}
    hazards = client.get(API, {"kind": "hazard"}).json()
    assert (hazards["kind"], hazards["total"]) == ("hazard", 1)


@pytest.mark.parametrize(
    ("params", "field"), [({"kind": "dragon"}, "kind"), ({"basis": "now"}, "basis")]
)
def test_api_names_a_bad_parameter(client, personas, params, field):
    login(client, personas.employee)
    response = client.get(API, params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_api_outsider_gets_404(client, personas, register):
    login(client, personas.outsider)
    assert client.get(API, {"organization": "org-a"}).status_code == 404


def test_api_queries_do_not_grow_with_risks(client, personas):
    login(client, personas.manager)
    make_risk(personas.org, 0, inherent=(1, 1))
    small, _ = count_queries(lambda: client.get(API))
    for i in range(1, 30):
        make_risk(personas.org, i, inherent=(1 + i % 5, 1 + i % 3))
    large, _ = count_queries(lambda: client.get(API))
    assert large == small
