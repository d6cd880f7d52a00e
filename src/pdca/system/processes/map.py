"""The process map: the organization's processes in three lanes (management on top, the core
processes that deliver to customers in the middle, support at the bottom) with an arrow for
each hand-over ("this process hands its outputs to that one").

`build_map` computes positions from plain data (no database), `render_svg` draws the layout as
inline SVG for the page and the PDF. Both are deterministic: the same processes and hand-overs
always give the same markup.

Inside a lane, processes follow their hand-overs (a topological order), so a chain reads from
left to right; a cycle is broken at the process with the smallest code; processes without
any hand-over come last. A lane with more than `PER_ROW` processes wraps into further rows.

Arrows are orthogonal: they leave a box from its bottom (or top, when the target is in a row
above), run along the free channel between rows, drop into the free channel left of the
target's column and enter the target from its left side. Channels lie between boxes, so no
arrow crosses a box; each arrow is shifted a few pixels from its neighbours so that arrows
sharing a channel stay apart.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

#: Lanes from top to bottom: (category value, label).
LANES: tuple[tuple[str, str], ...] = (
    ("management", "Management processes"),
    ("core", "Core processes"),
    ("support", "Support processes"),
)
LANE_FILLS = {"management": "#eef2f8", "core": "#f4f8ee", "support": "#f8f4ee"}
BOX_STROKES = {"management": "#1f3a5f", "core": "#2e7d32", "support": "#8d6e63"}

PER_ROW = 6
BOX_W, BOX_H = 176, 78
GAP_X, GAP_Y = 64, 44
LABEL_W = 118  # the left column holding the lane names
LANE_PAD = 22  # free space above the first and below the last row of a lane
EMPTY_LANE_H = 44
MARGIN = 8
#: How far from a box's edge its arrows run along the row gap: inside the source's own lane,
#: so an arrow never runs along a lane's border.
CHANNEL = 13
NAME_CHARS = 22  # characters per line of a box's name
NAME_LINES = 2
OWNER_CHARS = 28


@dataclass(frozen=True)
class Box:
    """One process on the map."""

    pk: int
    code: str
    name: str
    owner: str
    category: str
    x: int
    y: int
    row: int  # global row index, top to bottom
    col: int
    href: str
    w: int = BOX_W
    h: int = BOX_H

    @property
    def mid_y(self) -> int:
        return self.y + self.h // 2


@dataclass(frozen=True)
class Edge:
    """A hand-over from `source` to `target` (process pks) and the path its arrow takes."""

    source: int
    target: int
    points: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Lane:
    category: str
    label: str
    y: int
    height: int
    count: int


@dataclass
class MapLayout:
    """Where everything goes; `unconnected` lists processes without any hand-over."""

    width: int
    height: int
    lanes: list[Lane] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    unconnected: list[int] = field(default_factory=list)

    def box(self, pk: int) -> Box:
        return next(b for b in self.boxes if b.pk == pk)


def natural_key(code: str) -> tuple:
    """Sort "P-2" before "P-10"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.lower())
        for part in re.split(r"(\d+)", code)
        if part
    )


def register_url(slug: str, pk: int) -> str:
    """The page of register entry `pk` (the register framework names it `<slug>-detail` in
    the `workspace` namespace, at `/<slug>/<pk>/`)."""
    try:
        return reverse(f"workspace:{slug}-detail", args=[pk])
    except NoReverseMatch:
        return f"/{slug}/{pk}/"


def process_url(pk: int) -> str:
    """The process's page."""
    return register_url("processes", pk)


def owner_name(process: Any) -> str:
    owner = getattr(process, "owner", None)
    if owner is None:
        return ""
    return owner.get_full_name() or owner.email


def order_by_handover(pks: Sequence[int], keys: dict[int, tuple], pairs: Iterable) -> list[int]:
    """A topological order of `pks` along the hand-overs among them (Kahn's algorithm, the
    smallest code first among the ready ones). In a cycle no process is ready: the remaining
    process with the smallest code goes next, which breaks the cycle the same way every time."""
    members = set(pks)
    outgoing: dict[int, list[int]] = {pk: [] for pk in pks}
    indegree = dict.fromkeys(pks, 0)
    for source, target in pairs:
        if source in members and target in members and source != target:
            outgoing[source].append(target)
            indegree[target] += 1
    ready = [(keys[pk], pk) for pk in pks if indegree[pk] == 0]
    heapq.heapify(ready)
    done: set[int] = set()
    order: list[int] = []
    while len(order) < len(pks):
        if not ready:
            pk = min((pk for pk in pks if pk not in done), key=lambda p: (keys[p], p))
            indegree[pk] = 0
            heapq.heappush(ready, (keys[pk], pk))
        _, pk = heapq.heappop(ready)
        if pk in done:
            continue
        done.add(pk)
        order.append(pk)
        for target in outgoing[pk]:
            if target in done:
                continue
            indegree[target] -= 1
            if indegree[target] == 0:
                heapq.heappush(ready, (keys[target], target))
    return order


def build_map(
    processes: Sequence[Any],
    feeds_pairs: Iterable[tuple[int, int]],
    *,
    categories: Sequence[str] | None = None,
) -> MapLayout:
    """Lay out `processes` (objects with pk, code, name, category and optionally owner) and
    the hand-overs `feeds_pairs` ((source pk, target pk); pairs naming a process not on the map
    and a process handing over to itself are left out). `categories` limits the lanes drawn."""
    shown = [c for c, _ in LANES if categories is None or c in categories]
    by_pk = {p.pk: p for p in processes if p.category in shown}
    pairs = sorted(
        {(s, t) for s, t in feeds_pairs if s in by_pk and t in by_pk and s != t},
    )
    keys = {pk: natural_key(p.code) for pk, p in by_pk.items()}
    layout = MapLayout(width=0, height=0)
    y = MARGIN
    row = 0
    widest = 1
    for category, label in LANES:
        if category not in shown:
            continue
        pks = sorted(
            (pk for pk, p in by_pk.items() if p.category == category), key=keys.__getitem__
        )
        # Processes without any hand-over come last, after the chains.
        linked = {pk for pair in pairs for pk in pair}
        order = order_by_handover([pk for pk in pks if pk in linked], keys, pairs) + [
            pk for pk in pks if pk not in linked
        ]
        if not order:
            layout.lanes.append(Lane(category, label, y, EMPTY_LANE_H, 0))
            y += EMPTY_LANE_H
            continue
        rows = (len(order) + PER_ROW - 1) // PER_ROW
        height = 2 * LANE_PAD + rows * BOX_H + (rows - 1) * GAP_Y
        layout.lanes.append(Lane(category, label, y, height, len(order)))
        for index, pk in enumerate(order):
            r, c = divmod(index, PER_ROW)
            process = by_pk[pk]
            layout.boxes.append(
                Box(
                    pk=pk,
                    code=process.code,
                    name=process.name,
                    owner=owner_name(process),
                    category=category,
                    x=MARGIN + LABEL_W + GAP_X // 2 + c * (BOX_W + GAP_X),
                    y=y + LANE_PAD + r * (BOX_H + GAP_Y),
                    row=row + r,
                    col=c,
                    href=process_url(pk),
                )
            )
            widest = max(widest, c + 1)
        row += rows
        y += height
    layout.width = MARGIN * 2 + LABEL_W + widest * (BOX_W + GAP_X)
    layout.height = y + MARGIN
    boxes = {b.pk: b for b in layout.boxes}
    layout.edges = [
        Edge(s, t, route(boxes[s], boxes[t], index)) for index, (s, t) in enumerate(pairs)
    ]
    connected = {pk for pair in pairs for pk in pair}
    layout.unconnected = [b.pk for b in layout.boxes if b.pk not in connected]
    return layout


def _shift(index: int, step: int = 3) -> int:
    """A small offset per arrow (-2..2 steps), so arrows sharing a channel stay apart."""
    return (index % 5 - 2) * step


def route(source: Box, target: Box, index: int = 0) -> tuple[tuple[int, int], ...]:
    """The orthogonal path of the arrow from `source` to `target` (see the module's notes)."""
    shift = _shift(index)
    end = (target.x, target.mid_y + shift * 3)
    if source.row == target.row and target.col == source.col + 1:
        # Next to each other: straight across the gap.
        y = source.mid_y + shift
        return ((source.x + source.w, y), (target.x, y))
    channel_x = target.x - GAP_X // 2 + shift
    exit_x = source.x + source.w // 2 + shift * 3
    if target.row < source.row:
        start = (exit_x, source.y)
        channel_y = source.y - CHANNEL + shift
    else:
        start = (exit_x, source.y + source.h)
        channel_y = source.y + source.h + CHANNEL + shift
    return (
        start,
        (exit_x, channel_y),
        (channel_x, channel_y),
        (channel_x, end[1]),
        end,
    )


def wrap(text: str, width: int, lines: int) -> list[str]:
    """Words of `text` on at most `lines` lines of `width` characters; an ellipsis when cut."""
    words = text.split()
    out: list[str] = []
    current = ""
    for word in words:
        if len(word) > width:
            word = word[: width - 1] + "…"
        candidate = f"{current} {word}".strip()
        if len(candidate) <= width:
            current = candidate
            continue
        out.append(current)
        current = word
        if len(out) == lines:
            break
    else:
        if current:
            out.append(current)
        return out or [""]
    last = out[-1]
    if len(last) >= width:
        # No room for the ellipsis: drop the last word (or cut a single long word).
        last = last.rsplit(" ", 1)[0] if " " in last else last[: width - 1]
    out[-1] = last + "…"
    return out


def _text(x: int, y: int, text: str, **attrs: Any) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x}" y="{y}"{extra}>{escape(text)}</text>'


def _path(points: Sequence[tuple[int, int]]) -> str:
    return "M" + " L".join(f"{x} {y}" for x, y in points)


def render_svg(layout: MapLayout, *, title: str = "Process map") -> SafeString:
    """The layout as one inline `<svg>` that scales to its container (`viewBox`)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="process-map" role="img" '
        f'viewBox="0 0 {layout.width} {layout.height}" width="100%" '
        f'font-family="DejaVu Sans, sans-serif" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        "<style>.process-box,.process-box text{text-decoration:none}"
        ".process-box:hover rect,.process-box:focus rect{stroke-width:3}</style>",
        '<defs><marker id="handover-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto">'
        '<path d="M0 0 L10 5 L0 10 z" fill="#455a64"/></marker></defs>',
    ]
    for lane in layout.lanes:
        parts.append(
            f'<rect class="lane lane-{lane.category}" x="{MARGIN}" y="{lane.y}" '
            f'width="{layout.width - 2 * MARGIN}" height="{lane.height}" '
            f'fill="{LANE_FILLS[lane.category]}" stroke="#cfd8dc"/>'
        )
        words = lane.label.split()
        for i, word in enumerate(words):
            parts.append(
                _text(
                    MARGIN + 10,
                    lane.y + 22 + 15 * i,
                    word,
                    font_size=12,
                    font_weight="bold",
                    fill="#37474f",
                )
            )
        if not lane.count:
            parts.append(
                _text(
                    MARGIN + LABEL_W + GAP_X // 2,
                    lane.y + 27,
                    "No process in this lane.",
                    font_size=12,
                    fill="#78909c",
                    font_style="italic",
                )
            )
    for edge in layout.edges:
        parts.append(
            f'<path class="handover" data-source="{edge.source}" data-target="{edge.target}" '
            f'd="{_path(edge.points)}" fill="none" stroke="#455a64" stroke-width="1.4" '
            f'marker-end="url(#handover-arrow)"/>'
        )
    for box in layout.boxes:
        parts.append(_box(box))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text and attribute is escaped)


def _box(box: Box) -> str:
    label = f"{box.code} {box.name}" + (f" (owner: {box.owner})" if box.owner else "")
    inner = [
        f'<a href="{escape(box.href)}" class="process-box" data-pk="{box.pk}">',
        f"<title>{escape(label)}</title>",
        f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" rx="6" fill="#ffffff" '
        f'stroke="{BOX_STROKES[box.category]}" stroke-width="1.6"/>',
        _text(box.x + 8, box.y + 17, box.code, font_size=12, font_weight="bold", fill="#1f3a5f"),
    ]
    for i, line in enumerate(wrap(box.name, NAME_CHARS, NAME_LINES)):
        inner.append(_text(box.x + 8, box.y + 35 + 15 * i, line, font_size=13, fill="#1f2d3d"))
    if box.owner:
        owner = box.owner if len(box.owner) <= OWNER_CHARS else box.owner[: OWNER_CHARS - 1] + "…"
        inner.append(_text(box.x + 8, box.y + box.h - 8, owner, font_size=11, fill="#607d8b"))
    inner.append("</a>")
    return "".join(inner)
