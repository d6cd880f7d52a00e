"""The catalog pages: list, tree with search, requirement with its links, integrated view,
mandatory documented information and its CSV and XLSX downloads.

The catalog is shared reference data: every signed-in person reads all of it, and nobody else.
"""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
import yaml
from django.urls import reverse

from pdca.accounts.models import User
from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.standards.catalog_files import CATALOG_DIR
from pdca.standards.models import CoreClause, Standard

CODES = [
    "iso14001-2015",
    "iso22000-2018",
    "iso22301-2019",
    "iso27001-2022",
    "iso42001-2023",
    "iso45001-2018",
    "iso9001-2015",
    # the new editions (issue 21)
    "iso14001-2026",
    "iso9001-2026",
]
PAGES = [
    "/standards/",
    "/standards/iso27001-2022/",
    "/standards/iso27001-2022/?q=cloud",
    "/standards/iso27001-2022/A.5.23/",
    "/standards/iso9001-2015/7.2/",
    "/standards/integrated/",
    "/standards/integrated/?standards=iso9001-2015&standards=iso14001-2015",
    "/standards/iso27001-2022/documented-information/",
    "/standards/iso27001-2022/documented-information.csv",
    "/standards/iso27001-2022/documented-information.xlsx",
]
REQUIREMENT_LINK = re.compile(r'href="(/standards/[a-z0-9-]+/[A-Za-z0-9.]+/)"')


def requirement_links(response) -> list[str]:
    return REQUIREMENT_LINK.findall(response.content.decode())


def file_items(code: str) -> list[tuple[str, str, str]]:
    """(number, type, what) of every documented-information item in the shipped catalog file."""
    data = yaml.safe_load((CATALOG_DIR / f"{code}.yaml").read_text(encoding="utf-8"))
    return [
        (r["number"], item["type"], item["what"])
        for r in data["requirements"]
        for item in r.get("documented_information", [])
    ]


@pytest.fixture
def employee(client, personas, catalog):
    login(client, personas.employee)
    return client


# --- who may read -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", [Role.EMPLOYEE, Role.AUDITOR])
def test_an_employee_and_a_certification_body_auditor_read_every_page(
    client, personas, catalog, who, url
):
    login(client, personas.users[who])
    response = client.get(url)
    assert response.status_code == 200


def test_a_signed_in_person_without_an_organization_reads_the_catalog(client, catalog):
    login(client, User.objects.create_user("loner@example.org", "x" * 16, full_name="Loner"))
    assert client.get("/standards/").status_code == 200
    assert client.get("/standards/iso9001-2015/7.2/").status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, catalog, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=/standards/")


@pytest.mark.parametrize(
    "url",
    [
        "/standards/iso9999-2099/",
        "/standards/iso9999-2099/documented-information/",
        "/standards/iso9999-2099/documented-information.csv",
        "/standards/iso9999-2099/documented-information.xlsx",
        "/standards/iso9999-2099/7.2/",
        "/standards/iso9001-2015/99.9/",
        "/standards/iso9001-2015/A.5.23/",  # a 27001 control is not a 9001 requirement
    ],
)
def test_an_unknown_standard_or_requirement_is_not_found(employee, url):
    assert employee.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_offers_the_catalog_to_every_role(client, personas, catalog, role):
    login(client, personas.users[role])
    html = client.get("/").content.decode()
    menu = html[html.index('<nav aria-label="Main">') :]
    menu = menu[: menu.index("</nav>")]
    assert ">Standards</div>" in menu  # the section heading
    assert '<a class="nav-link" href="/standards/">Standards</a>' in menu
    assert '<a class="nav-link" href="/standards/integrated/">Integrated view</a>' in menu


# --- list and tree ------------------------------------------------------------------------------


def test_the_list_shows_every_standard_with_its_counts(employee):
    response = employee.get("/standards/")
    html = response.content.decode()
    for code in CODES:
        assert f'href="/standards/{code}/"' in html
    rows = {s.code: s for s in response.context["standards"]}
    assert (rows["iso27001-2022"].clause_count, rows["iso27001-2022"].control_count) == (41, 93)
    assert rows["iso42001-2023"].control_count == 38
    assert rows["iso14001-2015"].control_count == 0


def test_the_tree_of_27001_shows_its_clauses_and_annex_controls(employee):
    response = employee.get("/standards/iso27001-2022/")
    links = requirement_links(response)
    assert "/standards/iso27001-2022/6.1.3/" in links
    assert "/standards/iso27001-2022/A.8.34/" in links
    assert len(links) == 41 + 93
    html = response.content.decode()
    assert "A.5 Organizational controls" in html
    assert "HS 6.1.3" not in html  # 6.1.3 is 27001's own, not a core clause
    assert "HS 7.2" in html
    assert "documented information</span>" in html


def tree_row(html: str, href: str) -> str:
    """The opening tag of the tree row that links to `href`."""
    match = re.search(rf'(<li [^>]*>)\s*<a [^>]*href="{re.escape(href)}"', html)
    assert match, f"no tree row links to {href}"
    return match.group(1)


def test_the_tree_indents_by_depth_and_marks_the_top_clauses(employee):
    html = employee.get("/standards/iso9001-2015/").content.decode()
    assert tree_row(html, "/standards/iso9001-2015/7/") == (
        '<li class="depth-0 req-top" style="--depth: 0">'
    )
    assert tree_row(html, "/standards/iso9001-2015/7.1.5/") == (
        '<li class="depth-2" style="--depth: 2">'
    )
    html = employee.get("/standards/iso27001-2022/").content.decode()
    assert tree_row(html, "/standards/iso27001-2022/A.5.23/") == (
        '<li class="depth-0" style="--depth: 0">'
    )


def test_our_descriptive_titles_are_marked_in_the_tree(employee):
    html = employee.get("/standards/iso22000-2018/").content.decode()
    row = html[html.index('href="/standards/iso22000-2018/5.3.1/"') :]
    row = row[: row.index("</li>")]
    assert "our title" in row


def test_search_narrows_the_tree_to_the_matching_requirements(employee):
    response = employee.get("/standards/iso27001-2022/?q=cloud")
    assert requirement_links(response) == ["/standards/iso27001-2022/A.5.23/"]
    html = response.content.decode()
    assert "<html" in html and 'value="cloud"' in html
    assert "1 of 134 requirements match" in html


def test_search_by_number_matches_the_number_prefix(employee):
    response = employee.get("/standards/iso27001-2022/?q=6.1")
    assert requirement_links(response) == [
        "/standards/iso27001-2022/6.1/",
        "/standards/iso27001-2022/6.1.1/",
        "/standards/iso27001-2022/6.1.2/",
        "/standards/iso27001-2022/6.1.3/",
    ]


def test_an_htmx_search_gets_the_tree_fragment_alone(employee):
    response = employee.get("/standards/iso27001-2022/?q=cloud", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="tree">')
    assert "<html" not in html and "<nav" not in html
    assert requirement_links(response) == ["/standards/iso27001-2022/A.5.23/"]
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(employee):
    response = employee.get(
        "/standards/iso27001-2022/?q=cloud",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in response.content.decode()


def test_a_search_that_matches_nothing_says_so(employee):
    response = employee.get("/standards/iso14001-2015/?q=zzzz-nothing")
    assert requirement_links(response) == []
    assert "Nothing matches “zzzz-nothing”" in response.content.decode()


# --- a requirement ------------------------------------------------------------------------------


def test_9001_competence_links_to_competence_in_every_other_standard(employee):
    response = employee.get("/standards/iso9001-2015/7.2/")
    html = response.content.decode()
    assert "<h1>7.2 Competence" in html
    others = [c for c in CODES if c != "iso9001-2015"]
    # (9001:2026 7.2 is also linked once more, under "In other editions")
    assert sorted({link for link in requirement_links(response) if link.endswith("/7.2/")}) == (
        sorted(f"/standards/{code}/7.2/" for code in others)
    )
    assert [link.requirement.standard.code for link in response.context["core_links"]] == sorted(
        others, key=lambda code: Standard.objects.get(code=code).name
    )
    assert response.context["mapping_links"] == []


def test_a_mapped_27001_control_shows_its_42001_counterpart_and_back(employee):
    response = employee.get("/standards/iso27001-2022/A.5.1/")
    assert "/standards/iso42001-2023/A.2.2/" in requirement_links(response)
    assert "Both require a management-approved policy" in response.content.decode()
    response = employee.get("/standards/iso42001-2023/A.2.2/")
    assert "/standards/iso27001-2022/A.5.1/" in requirement_links(response)
    assert [link.via for link in response.context["mapping_links"]] == ["mapping"] * len(
        response.context["mapping_links"]
    )


def test_the_requirement_page_shows_its_place_and_what_it_demands(employee):
    response = employee.get("/standards/iso9001-2015/7.1.5/")
    html = response.content.decode()
    assert 'href="/standards/iso9001-2015/7.1/"' in html  # parent
    assert 'href="/standards/iso9001-2015/7.1.5.1/"' in html  # child
    response = employee.get("/standards/iso27001-2022/4.3/")
    html = response.content.decode()
    assert "ISMS scope" in html and "maintain" in html
    assert "What ISO/IEC 27001 adds" in html
    assert "depend on activities carried out by other organizations" in html
    response = employee.get("/standards/iso27001-2022/A.5.23/")
    assert "A.5 Organizational controls" in response.content.decode()


def test_an_untitled_paragraph_is_marked_as_our_title(employee):
    html = employee.get("/standards/iso22000-2018/5.3.1/").content.decode()
    assert "gives paragraph 5.3.1 no title" in html


# --- the integrated view ------------------------------------------------------------------------


def test_the_integrated_view_has_a_row_per_core_clause_and_all_standards_by_default(employee):
    response = employee.get("/standards/integrated/")
    html = response.content.decode()
    assert CoreClause.objects.count() == 36
    assert len(response.context["rows"]) == 36
    assert html.count('<tr id="core-') == 36
    assert [s.code for s in response.context["chosen"]] == [
        s.code for s in Standard.objects.order_by("name", "edition")
    ]
    row = next(r for r in response.context["rows"] if r.core.number == "7.2")
    assert [c.requirement.number for c in row.cells] == ["7.2"] * len(CODES)


def test_the_integrated_view_shows_the_chosen_standards_only(employee):
    response = employee.get(
        "/standards/integrated/?standards=iso9001-2015&standards=iso27001-2022&standards=bogus"
    )
    assert [s.code for s in response.context["chosen"]] == ["iso9001-2015", "iso27001-2022"]
    html = response.content.decode()
    assert 'value="iso9001-2015" id="std-iso9001-2015" checked' in html
    assert 'value="iso14001-2015" id="std-iso14001-2015">' in html
    assert "/standards/iso14001-2015/7.2/" not in html
    row = next(r for r in response.context["rows"] if r.core.number == "6.1")
    additions = [r.number for r in row.cells[1].additions]
    assert {"6.1.2", "6.1.3"} <= set(additions)  # 27001 adds risk assessment and treatment
    assert "/standards/iso27001-2022/6.1.3/" in html


# --- documented information ---------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_the_csv_has_a_header_and_a_line_per_item_of_the_catalog_file(employee, code):
    response = employee.get(f"/standards/{code}/documented-information.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{code}-documented-information.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    expected = file_items(code)
    assert expected, f"{code} demands no documented information?"
    assert rows[0] == ["Requirement", "Title", "Type", "What"]
    assert sorted((r[0], r[2], r[3]) for r in rows[1:]) == sorted(expected)


@pytest.mark.parametrize("code", ["iso27001-2022", "iso9001-2015"])
def test_the_xlsx_opens_and_has_the_same_rows_as_the_csv(employee, code):
    response = employee.get(f"/standards/{code}/documented-information.xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        f'attachment; filename="{code}-documented-information.xlsx"'
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    text = employee.get(f"/standards/{code}/documented-information.csv").content
    assert rows == list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(rows) - 1 == len(file_items(code))
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 70


def test_the_documented_information_page_lists_each_item_with_downloads(employee):
    response = employee.get("/standards/iso27001-2022/documented-information/")
    html = response.content.decode()
    items = file_items("iso27001-2022")
    assert len(response.context["items"]) == len(items)
    assert html.count('<tr>\n    <td><a href="/standards/iso27001-2022/') == len(items)
    assert 'href="/standards/iso27001-2022/documented-information.csv"' in html
    assert 'href="/standards/iso27001-2022/documented-information.xlsx"' in html
    assert "ISMS scope" in html


def test_exports_keep_formulas_and_illegal_characters_out(catalog):
    from pdca.standards import exports
    from pdca.standards.models import Requirement
    from pdca.standards.selectors import DocumentedItem

    requirement = Requirement.objects.get(standard__code="iso9001-2015", number="4.3")
    items = [DocumentedItem(requirement, "retain", '=HYPERLINK("x")\x07 log')]
    rows = list(
        csv.reader(io.StringIO(exports.documented_information_csv(items).decode("utf-8-sig")))
    )
    assert rows[1][3] == '\'=HYPERLINK("x")\x07 log'
    sheet = openpyxl.load_workbook(
        io.BytesIO(exports.documented_information_xlsx(requirement.standard, items))
    ).active
    assert sheet["D2"].value == '\'=HYPERLINK("x") log'
    assert sheet["D2"].data_type == "s"


# --- query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    n, response = count_queries(lambda: client.get(url))
    assert response.status_code == 200
    return n


def test_the_tree_costs_the_same_queries_for_a_small_and_a_large_standard(employee):
    small = _queries(employee, "/standards/iso14001-2015/")
    large = _queries(employee, "/standards/iso27001-2022/")
    assert small == large, f"14001: {small} queries, 27001: {large}"
    assert _queries(employee, "/standards/iso27001-2022/?q=control") == small + 1


def test_the_integrated_view_costs_the_same_queries_for_two_and_seven_standards(employee):
    two = _queries(
        employee, "/standards/integrated/?standards=iso9001-2015&standards=iso14001-2015"
    )
    seven = _queries(employee, "/standards/integrated/")
    assert two == seven, f"2 standards: {two} queries, 7: {seven}"


def test_the_other_pages_cost_the_same_queries_for_a_small_and_a_large_standard(employee):
    assert _queries(employee, "/standards/iso14001-2015/7.2/") == _queries(
        employee, "/standards/iso27001-2022/7.2/"
    )
    for suffix in ("documented-information/", "documented-information.csv"):
        assert _queries(employee, f"/standards/iso14001-2015/{suffix}") == _queries(
            employee, f"/standards/iso27001-2022/{suffix}"
        )
