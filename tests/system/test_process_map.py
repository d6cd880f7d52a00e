"""The process map: the layout (lanes, order by hand-over, wrapping, arrows, cycles), its SVG
(escaping, links, determinism), the page (filters, not-connected list, roles, other
organization, query count) and the A4 landscape PDF."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest
from django.urls import reverse

from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.system.models import Process
from pdca.system.processes.map import (
    BOX_H,
    BOX_W,
    GAP_X,
    PER_ROW,
    build_map,
    natural_key,
    order_by_handover,
    render_svg,
    wrap,
)
from tests.tenancy.factories import make_site


def node(pk: int, code: str, category: str = "core", name: str | None = None, owner=None):
    return SimpleNamespace(
        pk=pk, code=code, name=name or f"Process {code}", category=category, owner=owner
    )


# --- layout ---------------------------------------------------------------------------------


def test_lanes_are_management_core_support_from_top_to_bottom():
    layout = build_map(
        [node(1, "S-1", "support"), node(2, "C-1"), node(3, "M-1", "management")], []
    )
    assert [lane.category for lane in layout.lanes] == ["management", "core", "support"]
    ys = {b.code: b.y for b in layout.boxes}
    assert ys["M-1"] < ys["C-1"] < ys["S-1"]
    for lane in layout.lanes:
        box = next(b for b in layout.boxes if b.category == lane.category)
        assert lane.y < box.y and box.y + box.h < lane.y + lane.height


def test_core_lane_follows_the_hand_overs_not_the_codes():
    processes = [node(1, "P-1"), node(2, "P-2"), node(3, "P-3")]
    # P-3 hands to P-1, P-1 hands to P-2: the chain reads P-3, P-1, P-2.
    layout = build_map(processes, [(3, 1), (1, 2)])
    assert [b.code for b in sorted(layout.boxes, key=lambda b: b.x)] == ["P-3", "P-1", "P-2"]
    assert [b.col for b in sorted(layout.boxes, key=lambda b: b.x)] == [0, 1, 2]
    assert {b.x for b in layout.boxes} == {b.x for b in layout.boxes if b.row == 0}
    first, second = sorted(layout.boxes, key=lambda b: b.x)[:2]
    assert second.x - first.x == BOX_W + GAP_X


def test_a_cycle_is_broken_at_the_smallest_code_the_same_way_every_time():
    keys = {1: natural_key("B"), 2: natural_key("A"), 3: natural_key("C")}
    pairs = [(1, 2), (2, 3), (3, 1)]
    assert order_by_handover([1, 2, 3], keys, pairs) == [2, 3, 1]
    assert order_by_handover([3, 2, 1], keys, list(reversed(pairs))) == [2, 3, 1]
    layout = build_map([node(1, "B"), node(2, "A"), node(3, "C")], pairs)
    assert len(layout.edges) == 3
    assert layout.unconnected == []


def test_codes_sort_naturally():
    layout = build_map([node(1, "P-10"), node(2, "P-2"), node(3, "P-1")], [])
    assert [b.code for b in sorted(layout.boxes, key=lambda b: b.x)] == ["P-1", "P-2", "P-10"]


def test_a_lane_of_more_than_six_wraps_into_rows():
    processes = [node(i, f"P-{i:02d}") for i in range(1, 15)]
    layout = build_map(processes, [])
    rows = sorted({b.row for b in layout.boxes})
    assert rows == [0, 1, 2]
    assert [sum(1 for b in layout.boxes if b.row == r) for r in rows] == [PER_ROW, PER_ROW, 2]
    core = layout.lanes[1]
    assert core.count == 14
    assert all(core.y < b.y and b.y + BOX_H < core.y + core.height for b in layout.boxes)
    assert layout.width == 8 * 2 + 118 + PER_ROW * (BOX_W + GAP_X)


def test_arrows_between_neighbours_are_straight_and_others_run_around_boxes():
    processes = [node(1, "P-1"), node(2, "P-2"), node(3, "P-3"), node(4, "M-1", "management")]
    layout = build_map(processes, [(1, 2), (3, 1), (4, 3)])
    edges = {(e.source, e.target): e.points for e in layout.edges}
    one, two = layout.box(1), layout.box(2)
    straight = edges[(1, 2)]
    assert len(straight) == 2
    assert straight[0][0] == one.x + one.w and straight[1][0] == two.x
    assert straight[0][1] == straight[1][1]
    # Every path is orthogonal, ends on the left side of its target, and no segment runs
    # through the inside of a box.
    for (source, target), points in edges.items():
        box = layout.box(target)
        assert points[-1][0] == box.x and box.y < points[-1][1] < box.y + box.h
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            assert x1 == x2 or y1 == y2
            for b in layout.boxes:
                assert not _crosses_inside(b, (x1, y1), (x2, y2)), (source, target, b.code)


def _crosses_inside(box, a, b) -> bool:
    (x1, y1), (x2, y2) = a, b
    if y1 == y2:
        return box.y < y1 < box.y + box.h and min(x1, x2) < box.x + box.w and max(x1, x2) > box.x
    return box.x < x1 < box.x + box.w and min(y1, y2) < box.y + box.h and max(y1, y2) > box.y


def test_hand_overs_to_processes_off_the_map_and_to_itself_are_left_out():
    layout = build_map([node(1, "P-1"), node(2, "P-2")], [(1, 1), (1, 99), (2, 1)])
    assert [(e.source, e.target) for e in layout.edges] == [(2, 1)]


def test_unconnected_lists_processes_without_any_hand_over():
    layout = build_map([node(1, "P-1"), node(2, "P-2"), node(3, "P-3")], [(1, 2)])
    assert layout.unconnected == [3]


def test_an_empty_map_still_draws_its_three_lanes():
    layout = build_map([], [])
    assert layout.boxes == [] and layout.edges == []
    assert [lane.count for lane in layout.lanes] == [0, 0, 0]
    svg = render_svg(layout)
    assert svg.count('class="lane ') == 3
    assert svg.count("No process in this lane.") == 3


def test_category_filter_draws_only_that_lane():
    layout = build_map(
        [node(1, "M-1", "management"), node(2, "C-1")], [(1, 2)], categories=["core"]
    )
    assert [lane.category for lane in layout.lanes] == ["core"]
    assert [b.code for b in layout.boxes] == ["C-1"]
    assert layout.edges == []


def test_wrap_keeps_two_lines_and_marks_the_cut():
    assert wrap("Design and development of products", 24, 2) == [
        "Design and development",
        "of products",
    ]
    assert wrap("Purchasing, supplier evaluation and receiving inspection", 24, 2) == [
        "Purchasing, supplier",
        "evaluation and…",
    ]
    assert wrap("", 24, 2) == [""]


# --- SVG ------------------------------------------------------------------------------------


def test_svg_escapes_names_and_links_each_box_to_its_process():
    owner = SimpleNamespace(get_full_name=lambda: "Ann <b>Owner</b>", email="ann@x.example")
    layout = build_map(
        [node(7, "P&1", name="<script>alert(1)</script>", owner=owner), node(8, "P-2")],
        [(7, 8)],
    )
    svg = render_svg(layout, title='Map "A"')
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "P&amp;1" in svg and "Ann &lt;b&gt;Owner&lt;/b&gt;" in svg
    assert 'aria-label="Map &quot;A&quot;"' in svg
    assert re.findall(r'<a href="([^"]+)"', svg) == ["/processes/7/", "/processes/8/"]
    assert svg.count('marker-end="url(#handover-arrow)"') == 1
    assert '<marker id="handover-arrow"' in svg
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg)


def test_the_same_input_gives_the_same_markup():
    processes = [node(i, f"P-{i}") for i in range(1, 9)]
    pairs = [(1, 2), (2, 3), (3, 1), (5, 4), (8, 1)]
    first = render_svg(build_map(processes, pairs))
    second = render_svg(build_map(list(reversed(processes)), list(reversed(pairs))))
    assert first == second


# --- the page -------------------------------------------------------------------------------


def make_process(org, code: str, category: str = "core", **fields) -> Process:
    fields.setdefault("name", f"Process {code}")
    return Process.objects.create(organization=org, code=code, category=category, **fields)


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_every_member_sees_the_map(client, personas, role):
    plan = make_process(personas.org, "P-1", name="Planning")
    make_process(personas.org, "P-2", name="Machining").fed_by.add(plan)
    login(client, personas.users[role])
    response = client.get(reverse("workspace:process-map"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="process-box"') == 2
    assert body.count('class="handover"') == 1


def test_the_map_shows_active_processes_of_the_own_organization_only(client, personas):
    make_process(personas.org, "P-1", name="Planning")
    make_process(personas.org, "P-9", name="Old process", status=Process.Status.RETIRED)
    make_process(personas.org, "P-8", name="Draft process", status=Process.Status.DRAFT)
    make_process(personas.other, "B-1", name="Their secret process")
    login(client, personas.manager)
    body = client.get(reverse("workspace:process-map")).content.decode()
    assert "Planning" in body
    assert "Old process" not in body and "Draft process" not in body
    assert "Their secret process" not in body


def test_outsider_sees_only_their_own_map(client, personas):
    make_process(personas.org, "P-1", name="Planning")
    login(client, personas.outsider)
    body = client.get(reverse("workspace:process-map")).content.decode()
    assert "Planning" not in body
    assert "No active process" in body


def test_filters_by_site_and_category(client, personas):
    plant = make_site(personas.org, 0)
    office = make_site(personas.org, 1)
    machining = make_process(personas.org, "P-1", name="Machining")
    machining.sites.add(plant)
    make_process(personas.org, "P-2", name="Sales").sites.add(office)
    make_process(personas.org, "S-1", "support", name="Maintenance everywhere")
    login(client, personas.manager)
    url = reverse("workspace:process-map")
    body = client.get(url, {"site": plant.pk}).content.decode()
    assert "Machining" in body and "Maintenance everywhere" in body and ">Sales<" not in body
    body = client.get(url, {"category": "support"}).content.decode()
    assert body.count('class="process-box"') == 1 and "Maintenance everywhere" in body


def test_not_connected_lists_the_processes_without_hand_overs(client, personas):
    a = make_process(personas.org, "P-1", name="Planning")
    make_process(personas.org, "P-2", name="Machining").fed_by.add(a)
    make_process(personas.org, "P-3", name="Lonely process")
    login(client, personas.manager)
    body = client.get(reverse("workspace:process-map")).content.decode()
    section = body[body.index('id="unconnected"') :]
    assert "Lonely process" in section and "Planning" not in section


def test_the_map_page_query_count_does_not_grow_with_processes(client, personas):
    login(client, personas.manager)
    url = reverse("workspace:process-map")

    def grow(start: int, count: int) -> None:
        previous = None
        for i in range(start, start + count):
            p = make_process(personas.org, f"P-{i:02d}", owner=personas.manager)
            if previous is not None:
                p.fed_by.add(previous)
            previous = p

    grow(1, 2)
    small, _ = count_queries(lambda: client.get(url))
    grow(10, 20)
    large, response = count_queries(lambda: client.get(url))
    assert response.content.decode().count('class="process-box"') == 22
    assert small == large


def test_anonymous_is_sent_to_sign_in(client, personas):
    response = client.get(reverse("workspace:process-map"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


# --- PDF ------------------------------------------------------------------------------------


def test_the_pdf_is_one_a4_landscape_page_with_the_organization_and_the_map(
    client, personas, tmp_path
):
    a = make_process(personas.org, "P-1", name="Order handling")
    make_process(personas.org, "P-2", name="Machining").fed_by.add(a)
    make_process(personas.org, "M-1", "management", name="Management review")
    login(client, personas.manager)
    response = client.get(reverse("workspace:process-map-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="process-map-')
    pdf = tmp_path / "map.pdf"
    pdf.write_bytes(response.content)
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils missing")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\b", info)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (842, 595)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Org A" in text
    assert "Order handling" in text and "Machining" in text and "Management review" in text
