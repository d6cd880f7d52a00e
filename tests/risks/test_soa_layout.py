"""How the SoA reads: the grid's control titles wrap instead of squeezing the choices, its rows
carry the labels the stacked layout of narrow screens shows, its header sticks; the PDF and
the version page name owners by name, by address only when a person has no name."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from pdca.accounts.models import User
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.risks.soa import export, services
from pdca.tenancy.models import Membership
from tests.risks.test_soa_services import decide_all, standard

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def soa(personas):
    return services.create_soa(personas.org, standard(), actor=personas.manager)


def grid(client, soa) -> str:
    html = client.get(reverse("risks:soa-detail", args=[soa.pk])).content.decode()
    return html[html.index('<div id="lines">') : html.index('id="versions"')]


def test_control_titles_wrap_and_the_choices_keep_fixed_columns(client, personas, soa):
    login(client, personas.manager)
    html = grid(client, soa)
    table = re.search(r"<table[^>]*>", html).group(0)
    # Fixed columns on wide screens, stacked rows and a sticky header (pdca.css).
    assert all(c in table for c in ("soa-grid", "table-stack", "table-sticky"))
    assert "<colgroup>" in html
    # A sticky header needs the page to scroll, not a box around the table.
    assert "table-responsive" not in html
    first = html[html.index('<tr id="line-') :]
    first = first[: first.index("</tr>")]
    control = re.search(r"<td[^>]*>", first).group(0)
    assert "text-nowrap" not in control and "cell-main" in control


def test_each_cell_names_its_column_for_the_stacked_layout(client, personas, soa):
    for user in (personas.manager, personas.employee):  # the editable grid and the read-only one
        login(client, user)
        html = grid(client, soa)
        first = html[html.index('<tr id="line-') :]
        first = first[: first.index("</tr>")]
        labels = re.findall(r'data-label="([^"]+)"', first)
        assert labels == ["Applicable", "Justification and notes", "Implementation and owner"]


def test_the_soa_pdf_names_owners(personas, soa):
    nameless = User.objects.create_user("nameless@a.example", "x" * 12)
    Membership.objects.create(organization=personas.org, user=nameless, role=Role.PROCESS_OWNER)
    first, second = soa.lines.order_by("control__sort_key")[:2]
    services.update_line(first, actor=personas.manager, owner=personas.manager)
    services.update_line(second, actor=personas.manager, owner=nameless)

    html = export.soa_html(soa)
    cells = re.findall(r"<td>([^<]*)</td>\s*<td>[^<]*</td>\s*</tr>", html)
    assert personas.manager.full_name in cells
    assert personas.manager.email not in html
    assert "nameless@a.example" in cells  # no name: the address it is


def test_an_approved_version_keeps_addresses_and_shows_names(client, personas, soa):
    line = soa.lines.order_by("control__sort_key").first()
    services.update_line(line, actor=personas.manager, owner=personas.manager)
    decide_all(soa)
    version = services.approve_soa(soa, actor=personas.manager)
    frozen = next(row for row in version.lines if row["control"] == line.control.number)
    assert frozen["owner"] == personas.manager.email  # what was frozen stays as it was

    assert personas.manager.full_name in export.soa_html(soa, version).split("<tbody>")[1]
    login(client, personas.manager)
    page = client.get(reverse("risks:soa-version", args=[soa.pk, version.number]))
    body = page.content.decode().split("<tbody>")[1]
    assert personas.manager.full_name in body
    assert personas.manager.email not in body
