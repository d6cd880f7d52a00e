"""What people see of editions in the catalog: the comparison of two editions (filters, what is
new, removed requirements, provisional flags, CSV and XLSX), and the edition facts on the list,
a standard's page and a requirement's page. On two made-up editions
(tests/standards/editions_factories.py)."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import openpyxl
import pytest
from django.urls import reverse

from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement, Standard
from tests.standards.editions_factories import COUNTS, LINES, NEW, OLD, load_editions

COMPARISON = f"/standards/{OLD}/to/{NEW}/"
CSV = f"{COMPARISON}comparison.csv"
XLSX = f"{COMPARISON}comparison.xlsx"
PAGES = [COMPARISON, CSV, XLSX, f"/standards/{OLD}/", f"/standards/{NEW}/", "/standards/"]
ROW = re.compile(r'<tr class="change-row-(\w+)[^"]*">(.*?)</tr>', re.S)
TAG = re.compile(r"<[^>]+>")


@pytest.fixture
def editions(tmp_path, catalog):
    load_editions(tmp_path)


@pytest.fixture
def employee(client, personas, editions):
    login(client, personas.employee)
    return client


def text(html: str) -> str:
    """The words of `html` as read, one space between them (none before punctuation)."""
    return re.sub(r" ([.,:;)])", r"\1", " ".join(unescape(TAG.sub(" ", html)).split()))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str, element_id: str) -> str:
    start = html.index(f'id="{element_id}"')
    return html[start : html.index("</ul>", start)]


def table_rows(html: str) -> list[tuple[str, str]]:
    """(change, the row's text) of each line of the side-by-side table."""
    return [(change, text(body)) for change, body in ROW.findall(html)]


def first_link(row: str, code: str) -> bool:
    """The row of the list is that standard's: its first cell links to it."""
    return row.strip().startswith(f'<td class="text-nowrap"><a href="/standards/{code}/">')


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# --- who may read -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", [Role.EMPLOYEE, Role.AUDITOR, Role.SYSTEM_MANAGER])
def test_every_signed_in_role_reads_the_comparison_and_the_edition_pages(
    client, personas, editions, who, url
):
    login(client, personas.users[who])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, editions, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=/standards/")


@pytest.mark.parametrize("suffix", ["", "comparison.csv", "comparison.xlsx"])
@pytest.mark.parametrize(
    "pair",
    [
        (OLD, "demo-ems-2099"),  # unknown new edition
        ("demo-ems-1999", NEW),  # unknown old edition
        (NEW, OLD),  # the wrong way round: no transition
        (OLD, "iso9001-2015"),  # two standards without a transition
    ],
)
def test_unknown_editions_or_editions_without_a_transition_are_not_found(employee, pair, suffix):
    assert employee.get(f"/standards/{pair[0]}/to/{pair[1]}/{suffix}").status_code == 404


# --- the comparison -----------------------------------------------------------------------------


def test_the_comparison_names_both_editions_and_the_transition(employee):
    html = page(employee, COMPARISON)
    assert "<h1>Demo EMS:2015+A1:2024 → Demo EMS:2026" in html
    body = text(html)
    assert (
        "Transition ends 2029-04-15: certificates to Demo EMS:2015+A1:2024 are no longer "
        "valid after this date provisional" in body
    )
    assert "New certificates to 2015+A1:2024 until 2027-10-31 provisional" in body
    assert "Three years from publication; the end date is reported two ways." in body


def test_the_counts_of_each_change_are_at_the_top(employee):
    html = page(employee, COMPARISON)
    counts = dict(re.findall(r'<span class="count" data-change="(\w+)">(\d+)</span>', html))
    assert counts == {change: str(n) for change, n in COUNTS.items()}
    assert "20 lines, by change" in text(html)
    bar = html[html.index('class="change-bar"') :]
    bar = bar[: bar.index("</div>")]
    assert re.findall(r'class="change-(\w+)" style="width: ([\d.]+)%"', bar) == [
        ("new", "10.0"),
        ("changed", "15.0"),
        ("split", "10.0"),
        ("merged", "10.0"),
        ("moved", "10.0"),
        ("removed", "5.0"),
        ("same", "40.0"),
    ]


def test_what_is_new_lists_new_changed_and_split_requirements_with_their_notes(employee):
    html = page(employee, COMPARISON)
    items = [text(li) for li in re.findall(r"<li>(.*?)</li>", section(html, "whats-new"), re.S)]
    assert items == [
        "Changed 4.1 Understanding the organization and its context "
        "Names environmental conditions, climate change among them.",
        "Changed 6.1.1 General Slimmed: the risk part moves to the new 6.1.4.",
        "New 6.1.4 Risks and opportunities Risks and opportunities get a clause of their own.",
        "New 6.3 Planning of changes provisional Changes to the system are planned.",
        "Changed 9.3 Management review Now a heading over its sub-clauses.",
        "Split 9.3.1 General (from 9.3) The general part of the review.",
        "Split 9.3.2 Management review inputs (from 9.3) "
        "The inputs, with changes in interested parties' needs.",
    ]


def test_removed_requirements_are_listed(employee):
    html = page(employee, COMPARISON)
    removed = section(html, "removed")
    assert text(removed).endswith("10.1 General The general clause is gone.")
    assert f'href="/standards/{OLD}/10.1/"' in removed


def test_the_table_shows_every_line_side_by_side(employee):
    rows = table_rows(page(employee, COMPARISON))
    assert [change for change, _ in rows] == [
        "same", "changed", "same", "same", "same", "changed", "new", "moved", "new", "same",
        "merged", "merged", "same", "changed", "split", "split", "same", "moved", "removed",
        "same",
    ]  # fmt: skip
    assert rows[7] == ("moved", "6.1.4 Planning action Moved 6.1.5 Planning action "
                       "Planning action is renumbered.")  # fmt: skip
    assert rows[6][1] == (
        "— not in 2015+A1:2024 New 6.1.4 Risks and opportunities "
        "Risks and opportunities get a clause of their own."
    )
    assert rows[18][1] == "10.1 General Removed — not in 2026 The general clause is gone."


def test_the_requirements_link_to_their_pages_in_each_edition(employee):
    html = page(employee, COMPARISON)
    table = html[html.index('<table class="table table-sm comparison">') :]
    links = re.findall(r'href="(/standards/[^"]+)"', table)
    assert f"/standards/{OLD}/6.1.4/" in links
    assert f"/standards/{NEW}/6.1.5/" in links
    for link in set(links):
        assert employee.get(link).status_code == 200, link


def test_a_provisional_requirement_has_a_badge_and_the_page_says_what_is_provisional(employee):
    html = page(employee, COMPARISON)
    (row,) = [body for change, body in table_rows(html) if "6.3" in body]
    assert row.endswith(
        "New 6.3 Planning of changes provisional Changes to the system are planned."
    )
    banner = text(html[html.index("<strong>Provisional.</strong>") :].split("</div>")[0])
    assert "The transition dates are not yet confirmed." in banner
    assert "1 line with a requirement marked provisional." in banner


def test_a_provisional_new_edition_is_named_in_the_banner(client, personas, tmp_path, catalog):
    load_editions(tmp_path, provisional=True)
    login(client, personas.employee)
    body = text(page(client, COMPARISON))
    assert "Demo EMS:2026: Structure not yet checked against the published text." in body


def test_a_comparison_with_nothing_provisional_shows_no_badge(client, personas, tmp_path, catalog):
    load_editions(tmp_path, transition_provisional=False)
    Requirement.objects.filter(standard__code=NEW).update(provisional=False)
    login(client, personas.employee)
    html = page(client, COMPARISON)
    assert "provisional" not in text(html).lower()


@pytest.mark.parametrize(
    ("query", "changes"),
    [
        ("?change=new", ["new", "new"]),
        ("?change=removed&change=moved", ["moved", "moved", "removed"]),
        ("?change=new,removed", ["new", "new", "removed"]),
        ("?change=nonsense", [c for _, _, c, _ in LINES] and None),
    ],
)
def test_the_filter_keeps_only_the_chosen_changes(employee, query, changes):
    html = page(employee, COMPARISON + query)
    shown = [change for change, _ in table_rows(html)]
    if changes is None:  # an unknown change is ignored: every line
        assert len(shown) == 20
        return
    assert shown == changes
    assert f"{len(changes)} of 20 lines" in text(html)
    # The summary, what is new and the removed list still cover the whole transition.
    assert len(re.findall(r"<li>", section(html, "whats-new"))) == 7
    assert 'data-change="same">8<' in html


def test_the_filter_boxes_are_checked_as_chosen_and_the_downloads_follow_it(employee):
    html = page(employee, COMPARISON + "?change=new&change=removed")
    assert re.findall(r'value="(\w+)" id="change-\w+" checked', html) == ["new", "removed"]
    assert f'href="{CSV}?change=new&amp;change=removed"' in html
    assert f'href="{XLSX}?change=new&amp;change=removed"' in html


# --- downloads ----------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_one_row_per_line(employee):
    response = employee.get(CSV)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{OLD}--{NEW}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = csv_rows(response.content)
    assert rows[0] == [
        "Old number", "Old title", "Change", "New number", "New title", "Note", "Needs work",
        "Provisional",
    ]  # fmt: skip
    assert len(rows) == 21
    assert rows[7] == [
        "", "", "new", "6.1.4", "Risks and opportunities",
        "Risks and opportunities get a clause of their own.", "yes", "no",
    ]  # fmt: skip
    assert rows[9] == [
        "", "", "new", "6.3", "Planning of changes", "Changes to the system are planned.", "yes",
        "yes",
    ]  # fmt: skip
    assert rows[19] == ["10.1", "General", "removed", "", "", "The general clause is gone.",
                        "no", "no"]  # fmt: skip


def test_the_csv_follows_the_filter(employee):
    rows = csv_rows(employee.get(CSV + "?change=removed").content)
    assert [row[2] for row in rows[1:]] == ["removed"]


def test_a_note_starting_like_a_formula_is_written_as_text(employee):
    from pdca.standards.models import EditionMapping

    EditionMapping.objects.filter(change="removed").update(note='=HYPERLINK("x")')
    rows = csv_rows(employee.get(CSV + "?change=removed").content)
    assert rows[1][5] == '\'=HYPERLINK("x")'
    sheet = openpyxl.load_workbook(io.BytesIO(employee.get(XLSX + "?change=removed").content))
    cell = sheet["Comparison"]["F2"]
    assert cell.value == '\'=HYPERLINK("x")' and cell.data_type == "s"


def test_the_xlsx_has_the_comparison_and_a_summary(employee):
    response = employee.get(XLSX)
    assert response["Content-Disposition"] == f'attachment; filename="{OLD}--{NEW}.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Comparison", "Summary"]
    rows = list(book["Comparison"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Old number", "Old title", "Change")
    assert len(rows) == 21
    assert rows[1] == ("4", "Context of the organization", "same", "4",
                       "Context of the organization", None, "no", "no")  # fmt: skip
    assert book["Comparison"].freeze_panes == "A2"
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Old edition"] == "Demo EMS:2015+A1:2024"
    assert summary["New edition"] == "Demo EMS:2026"
    assert summary["Transition ends"] == "2029-04-15 (provisional)"
    assert summary["Lines"] == 20
    assert (
        summary["removed: No longer required: the work stays readable, nothing new is asked."] == 1
    )


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "?change=new", "comparison.csv", "comparison.xlsx"])
def test_the_comparison_costs_the_same_queries_at_two_sizes(
    client, personas, tmp_path, catalog, suffix
):
    login(client, personas.employee)
    load_editions(tmp_path / "small")
    small, response = count_queries(lambda: client.get(COMPARISON + suffix))
    assert response.status_code == 200
    load_editions(tmp_path / "large", extra=80)
    large, response = count_queries(lambda: client.get(COMPARISON + suffix))
    assert response.status_code == 200
    assert small == large, f"20 lines: {small} queries, 101 lines: {large}"


def test_the_list_costs_the_same_queries_with_and_without_editions(
    client, personas, tmp_path, catalog
):
    login(client, personas.employee)
    without, _ = count_queries(lambda: client.get("/standards/"))
    load_editions(tmp_path)
    with_editions, _ = count_queries(lambda: client.get("/standards/"))
    assert without == with_editions


def test_a_standard_with_editions_costs_what_one_without_costs(employee):
    alone, _ = count_queries(lambda: employee.get("/standards/iso42001-2023/"))
    replaced, _ = count_queries(lambda: employee.get(f"/standards/{OLD}/"))
    replacing, _ = count_queries(lambda: employee.get(f"/standards/{NEW}/"))
    assert alone == replaced == replacing


def test_a_requirement_costs_the_same_queries_with_and_without_transition_lines(
    client, personas, tmp_path, catalog
):
    login(client, personas.employee)
    load_editions(tmp_path / "alone", with_transition=False)
    alone, _ = count_queries(lambda: client.get(f"/standards/{OLD}/9.3/"))
    load_editions(tmp_path / "split")
    split, response = count_queries(lambda: client.get(f"/standards/{OLD}/9.3/"))
    assert "In other editions" in response.content.decode()
    assert alone == split


# --- the list, a standard's page, a requirement's page ----------------------------------------


def test_the_list_shows_edition_labels_and_which_editions_are_replaced(employee):
    html = page(employee, "/standards/")
    (old_row,) = [row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if first_link(row, OLD)]
    assert text(old_row).startswith(
        "Demo EMS:2015+A1:2024 Environmental management systems, a made-up test edition "
        "A1:2024 Climate action changes 4.1 asks whether climate change is a relevant issue. "
        "replaced by Demo EMS:2026 — transition ends 2029-04-15 provisional · what is new"
    )
    assert f'href="{COMPARISON}"' in old_row
    (new_row,) = [row for row in re.findall(r"<tr>(.*?)</tr>", html, re.S) if first_link(row, NEW)]
    assert "replaces Demo EMS:2015+A1:2024 · compare" in text(new_row)


def test_the_old_editions_page_says_it_is_replaced_and_links_to_the_comparison(employee):
    html = page(employee, f"/standards/{OLD}/")
    assert "<h1>Demo EMS:2015+A1:2024</h1>" in html
    facts = text(html[html.index('<dl class="row edition-facts') :].split("</dl>")[0])
    assert facts == (
        "Edition 2015+A1:2024 · published 2015-09-15 "
        "A1:2024 Climate action changes (published 2024-02-23): 4.1 asks whether climate change "
        "is a relevant issue. "
        "Replaced by Demo EMS:2026 — transition ends 2029-04-15; no new certificates to "
        "Demo EMS:2015+A1:2024 after 2027-10-31 provisional "
        "Three years from publication; the end date is reported two ways. "
        "Compare 2015+A1:2024 with 2026: what is new"
    )
    assert html.count(f'href="{COMPARISON}"') == 2  # the button and the facts


def test_the_new_editions_page_says_what_it_replaces(employee):
    html = page(employee, f"/standards/{NEW}/")
    facts = text(html[html.index('<dl class="row edition-facts') :].split("</dl>")[0])
    assert "Replaces Demo EMS:2015+A1:2024 — transition ends 2029-04-15" in facts
    assert facts.endswith("Compare with Demo EMS:2015+A1:2024: what is new")
    assert "Provisional catalog" not in html


def test_a_provisional_standard_has_a_banner_and_its_requirements_badges(
    client, personas, tmp_path, catalog
):
    load_editions(tmp_path, provisional=True)
    login(client, personas.employee)
    html = page(client, f"/standards/{NEW}/")
    assert "<strong>Provisional catalog.</strong> Structure not yet checked against" in html
    tree = html[html.index('<div id="tree">') :]
    items = re.findall(r'<li class="depth-\d[^"]*"[^>]*>(.*?)</li>', tree, re.S)
    flagged = [
        re.search(r">([\d.]+)</a>", item).group(1) for item in items if "badge-provisional" in item
    ]
    assert flagged == ["6.3"]
    requirement = page(client, f"/standards/{NEW}/6.3/")
    assert "badge-provisional" in requirement.split("</h1>")[0]
    assert "<strong>Provisional catalog.</strong>" in requirement
    assert "is not yet verified against the published standard" in requirement


def test_a_shipped_standard_has_no_provisional_banner(employee):
    html = page(employee, "/standards/iso27001-2022/")
    assert "Provisional catalog" not in html
    assert "badge-provisional" not in html


def test_a_requirement_shows_what_became_of_it_in_the_next_edition(employee):
    html = page(employee, f"/standards/{OLD}/9.3/")
    part = html[html.index("In other editions") : html.index("In other standards")]
    rows = [text(row) for row in re.findall(r"<tr>(.*?)</tr>", part, re.S)[1:]]
    assert rows == [
        "in Demo EMS:2026 the whole comparison Changed 9.3 Management review "
        "Now a heading over its sub-clauses.",
        "in Demo EMS:2026 the whole comparison Split 9.3.1 General The general part of the review.",
        "in Demo EMS:2026 the whole comparison Split 9.3.2 Management review inputs "
        "The inputs, with changes in interested parties' needs.",
    ]
    assert f'href="{COMPARISON}"' in part


def test_a_new_requirement_says_it_is_new(employee):
    html = page(employee, f"/standards/{NEW}/6.1.4/")
    part = html[html.index("In other editions") : html.index("In other standards")]
    assert "from Demo EMS:2015+A1:2024 the whole comparison New new in Demo EMS:2026" in text(part)


def test_a_standard_without_editions_shows_no_edition_links(employee):
    html = page(employee, "/standards/iso42001-2023/6.1/")
    assert "In other editions" not in html
    assert Standard.objects.get(code="iso42001-2023").successor is None
