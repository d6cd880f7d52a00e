"""The SoA pages: list, create, the SoA page with its grid (filters, inline htmx saves),
line pages with history, approval, versions and deletion, with the permission matrix and
constant query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ViewBundle, count_queries
from pdca.core.testing.api_bundle import login
from pdca.risks.models import ControlApplicability, SoaVersion, StatementOfApplicability
from pdca.risks.soa import services
from pdca.system.permissions import IMPLEMENTERS
from tests.risks.test_soa_services import (
    AIMS,
    decide_all,
    make_line,
    make_soa,
    make_version,
    standard,
)

pytestmark = pytest.mark.usefixtures("catalog")


def url(name: str, *args) -> str:
    return reverse(f"risks:{name}", args=args)


class TestSoaPages(ViewBundle):
    model = StatementOfApplicability
    list_url = "/soa/"
    create_url = "/soa/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    query_rows = (2, 7)
    invalid_form_data = [
        ({"title": "x"}, "standard"),
        (lambda org: {"standard": standard("iso9001-2015").pk}, "standard"),
        (lambda org: {"standard": standard().pk, "title": "x" * 201}, "title"),
        (lambda org: {"standard": standard().pk, "system": 999_999}, "system"),
    ]

    def make(self, org, index=0):
        return make_soa(org, index)

    def form_data(self, org):
        return {"standard": standard(AIMS).pk, "title": "AI SoA"}

    def detail_url(self, obj):
        return url("soa-detail", obj.pk)

    def delete_url(self, obj):
        return url("soa-delete", obj.pk)


class TestSoaLinePages(ViewBundle):
    model = ControlApplicability
    list_url = "/soa/"
    view_roles = ORGANIZATION_ROLES
    change_roles = IMPLEMENTERS

    def make(self, org, index=0):
        return make_line(org, index)

    def list_url_for(self, obj):
        return url("soa-detail", obj.soa_id)

    def detail_url(self, obj):
        return url("soa-line", obj.pk)

    def edit_url(self, obj):
        return url("soa-line-edit", obj.pk)

    def edit_data(self, obj):
        return {
            "applicable": "yes",
            "justification": "The plant needs it.",
            "implementation": "planned",
            "notes": "",
        }


class TestSoaVersionPages(ViewBundle):
    model = SoaVersion
    list_url = "/soa/"
    view_roles = ORGANIZATION_ROLES

    def make(self, org, index=0):
        return make_version(org, index)

    def list_url_for(self, obj):
        return url("soa-detail", obj.soa_id)

    def list_text(self, obj):
        return f">Version {obj.number}</a>"

    def detail_url(self, obj):
        return url("soa-version", obj.soa_id, obj.number)


# --- the grid -----------------------------------------------------------------------------


@pytest.fixture
def soa(personas):
    return services.create_soa(personas.org, standard(), actor=personas.manager)


def test_the_grid_groups_lines_and_filters_them(client, personas, soa):
    soa.lines.filter(control__number="A.8.25").update(
        applicable=False, justification="Acme writes no software."
    )
    login(client, personas.manager)
    html = client.get(url("soa-detail", soa.pk)).content.decode()
    for group in ("A.5 Organizational controls", "A.6 People controls", "A.8 Technological"):
        assert group in html
    assert html.count('<tr id="line-') == 93
    assert "92 control(s) not yet decided" in html
    response = client.get(url("soa-detail", soa.pk) + "?applicable=no")
    assert response.content.decode().count('<tr id="line-') == 1
    response = client.get(
        url("soa-detail", soa.pk) + "?applicable=undecided&group=A.7",
        headers={"HX-Request": "true", "HX-Target": "lines"},
    )
    fragment = response.content.decode()
    assert fragment.startswith('<div id="lines">')
    assert fragment.count('<tr id="line-') == 14


def test_readers_see_the_grid_without_inputs(client, personas, soa):
    login(client, personas.employee)
    html = client.get(url("soa-detail", soa.pk)).content.decode()
    assert html.count('<tr id="line-') == 93
    assert "hx-post" not in html
    assert 'name="justification"' not in html


def test_an_inline_save_answers_with_the_row_and_the_summary(client, personas, soa):
    line = soa.lines.get(control__number="A.7.1")
    login(client, personas.manager)
    response = client.post(
        url("soa-line-edit", line.pk),
        {
            "applicable": "yes",
            "justification": "The plant has a fence.",
            "implementation": "partial",
            "owner": "",
            "notes": "",
        },
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="line-{line.pk}"')
    assert 'hx-swap-oob="true"' in html
    assert '<strong id="soa-applicable">1</strong>' in html
    line.refresh_from_db()
    assert (line.applicable, line.implementation) == (True, "partial")


def test_a_failed_inline_save_shows_its_error_in_the_row(client, personas, soa):
    line = soa.lines.get(control__number="A.8.25")
    login(client, personas.manager)
    before = ActivityEntry.objects.count()
    response = client.post(
        url("soa-line-edit", line.pk),
        {"applicable": "no", "justification": "", "implementation": "implemented", "notes": ""},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert 'class="table-danger"' in html
    assert "a decided control needs a justification" in html
    assert "An excluded control cannot be implemented" in html
    assert '<option value="no" selected>' in html  # what was entered stays
    line.refresh_from_db()
    assert (line.applicable, line.implementation) == (None, "not_started")
    assert ActivityEntry.objects.count() == before


def test_the_line_form_shows_service_errors(client, personas, soa):
    line = soa.lines.get(control__number="A.8.25")
    login(client, personas.manager)
    response = client.post(
        url("soa-line-edit", line.pk), {"applicable": "yes", "justification": ""}
    )
    assert response.status_code == 200
    assert "justification" in response.context["form"].errors


def test_grid_query_count_does_not_grow_with_decided_lines(client, personas, soa):
    from tests.risks.test_soa_services import make_risk

    login(client, personas.manager)
    page = url("soa-detail", soa.pk)
    soa.lines.filter(control__number__in=["A.5.1", "A.5.2"]).update(
        applicable=True, justification="x", owner=personas.manager
    )
    small, _ = count_queries(lambda: client.get(page))
    decide_all(soa)
    soa.lines.update(owner=personas.manager)
    for i, line in enumerate(soa.lines.all()[:20]):
        line.risks.add(make_risk(personas.org, f"R-{i:03}"))
    services.approve_soa(soa, actor=personas.manager)
    services.approve_soa(soa, actor=personas.manager)
    large, response = count_queries(lambda: client.get(page))
    assert response.status_code == 200
    assert large <= small + 1, (small, large)  # the latest version's lines: one query


# --- approval, versions, deletion -----------------------------------------------------------


def test_approval_is_refused_with_the_problems_listed(client, personas, soa):
    login(client, personas.users[Role.TOP_MANAGEMENT])
    response = client.post(url("soa-approve", soa.pk), {"note": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "The SoA cannot be approved yet: 93 control(s) not yet decided" in html
    assert not SoaVersion.objects.exists()


def test_approval_freezes_a_version_shown_read_only(client, personas, soa):
    decide_all(soa)
    login(client, personas.users[Role.TOP_MANAGEMENT])
    response = client.post(url("soa-approve", soa.pk), {"note": "Board"})
    version = SoaVersion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("soa-version", soa.pk, 1)
    html = client.get(url("soa-version", soa.pk, 1)).content.decode()
    assert f'<code id="sha256">{version.sha256}</code>' in html
    assert "matches the content" in html
    assert "hx-post" not in html and "<textarea" not in html
    login(client, personas.manager)
    services.update_line(soa.lines.first(), actor=personas.manager, notes="later")
    html = client.get(url("soa-detail", soa.pk)).content.decode()
    assert "1 line changed since approval" in html
    assert client.get(url("soa-delete", soa.pk)).status_code == 200
    response = client.post(url("soa-delete", soa.pk))
    assert response.status_code == 302
    assert StatementOfApplicability.objects.filter(pk=soa.pk).exists()
    assert client.get(url("soa-version", soa.pk, 9)).status_code == 404


def test_an_employee_may_not_approve_or_import(client, personas, soa):
    decide_all(soa)
    login(client, personas.employee)
    assert client.get(url("soa-approve", soa.pk)).status_code == 403
    assert client.post(url("soa-approve", soa.pk), {}).status_code == 403
    assert client.get(url("soa-import", soa.pk)).status_code == 403
    assert not SoaVersion.objects.exists()


def test_the_outsider_gets_404_on_every_soa_page(client, personas, soa):
    decide_all(soa)
    services.approve_soa(soa, actor=personas.manager)
    login(client, personas.outsider)
    for page in (
        url("soa-approve", soa.pk),
        url("soa-version", soa.pk, 1),
        url("soa-xlsx", soa.pk),
        url("soa-pdf", soa.pk),
        url("soa-import", soa.pk),
        url("soa-sync", soa.pk),
    ):
        assert client.post(page).status_code == 404, page
    assert SoaVersion.objects.count() == 1


def test_sync_page_adds_missing_lines(client, personas, soa):
    soa.lines.filter(control__number="A.8.34").delete()
    login(client, personas.manager)
    assert "Add lines for new controls" in client.get(url("soa-detail", soa.pk)).content.decode()
    assert client.get(url("soa-sync", soa.pk)).status_code == 405
    assert client.post(url("soa-sync", soa.pk)).status_code == 302
    assert soa.lines.count() == 93


def test_list_shows_completeness_bars(client, personas, soa):
    decide_all(soa)
    soa.lines.filter(control__number__in=["A.5.1", "A.5.2", "A.5.3"]).update(applicable=None)
    login(client, personas.employee)
    html = client.get(url("soa-list")).content.decode()
    assert 'aria-valuenow="97"' in html  # 90 of 93
    assert "none yet" in html
