"""Draw docs/architecture-layers.svg from the import contracts in pyproject.toml.

The picture is generated, never drawn by hand, so it cannot drift from what `lint-imports`
enforces: one band per layer (highest on top), a box per app, and a dashed arrow for each hook
through which a lower app lets a higher one react (`core.hooks`; receivers are found by starting
Django). `make architecture` rewrites the file; tests/test_architecture.py fails when the
committed picture differs from a fresh drawing.

    python scripts/architecture.py [OUTPUT]     # default: docs/architecture-layers.svg
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections import defaultdict
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "docs" / "architecture-layers.svg"

WIDTH = 980
BAND_HEIGHT = 64
BAND_GAP = 14
LEFT = 150
TOP = 56
BOX_HEIGHT = 38
BOX_GAP = 16


def contract_layers(pyproject: Path = ROOT / "pyproject.toml") -> list[tuple[list[str], str]]:
    """The layers of the `layers` contract, highest first: (modules, separator) per layer."""
    config = tomllib.loads(pyproject.read_text())["tool"]["importlinter"]
    contract = next(c for c in config["contracts"] if c.get("id") == "layers")
    layers = []
    for layer in contract["layers"]:
        separator = "|" if "|" in layer else ":"
        layers.append(([part.strip() for part in layer.split(separator)], separator))
    return layers


def _short(module: str) -> str:
    return module.removeprefix("pdca.")


def hook_edges() -> dict[tuple[str, str], list[str]]:
    """{(declaring app, receiving app): [hook names]} for every registered hook receiver."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    import django

    django.setup()
    from pdca.core.hooks import declared_hooks

    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for name, hook in declared_hooks().items():
        declared_in = name.split(".")[0]
        for receiver in hook.receivers:
            received_in = receiver.__module__.split(".")[1]
            edges[(declared_in, received_in)].append(name.split(".", 1)[1])
    return dict(edges)


def draw(layers: list[tuple[list[str], str]], edges: dict[tuple[str, str], list[str]]) -> str:
    """The SVG, deterministic for the same layers and hooks."""
    height = TOP + len(layers) * (BAND_HEIGHT + BAND_GAP) + 40
    centre: dict[str, tuple[float, float]] = {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" font-family="DejaVu Sans, Arial, sans-serif" '
        'role="img" aria-labelledby="title">',
        '<title id="title">pdca layers: each app imports only the layers below it</title>',
        "<defs>"
        '<marker id="up" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#b45309"/></marker>'
        '<marker id="down" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#475569"/></marker>'
        "</defs>",
        '<text x="20" y="28" font-size="17" font-weight="bold" fill="#0f172a">'
        "Layers, highest first: imports point down only</text>",
        f'<text x="{WIDTH - 20}" y="28" font-size="12" text-anchor="end" fill="#b45309">'
        "dashed: a hook the lower app declares, the higher app fills</text>",
    ]
    for index, (modules, separator) in enumerate(layers):
        y = TOP + index * (BAND_HEIGHT + BAND_GAP)
        fill = "#f1f5f9" if index % 2 else "#e2e8f0"
        parts.append(
            f'<rect x="10" y="{y}" width="{WIDTH - 20}" height="{BAND_HEIGHT}" rx="8" '
            f'fill="{fill}"/>'
        )
        label = f"layer {len(layers) - index}"
        note = "independent" if separator == "|" and len(modules) > 1 else ""
        parts.append(
            f'<text x="24" y="{y + BAND_HEIGHT / 2 + 4}" font-size="13" fill="#334155">'
            f"{label}</text>"
        )
        if note:
            parts.append(
                f'<text x="24" y="{y + BAND_HEIGHT / 2 + 20}" font-size="10" '
                f'fill="#64748b">{note}</text>'
            )
        usable = WIDTH - LEFT - 70
        box_width = min(170.0, (usable - BOX_GAP * (len(modules) - 1)) / len(modules))
        total = box_width * len(modules) + BOX_GAP * (len(modules) - 1)
        x = LEFT + (usable - total) / 2
        for module in modules:
            name = _short(module)
            box_y = y + (BAND_HEIGHT - BOX_HEIGHT) / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{box_y:.1f}" width="{box_width:.1f}" '
                f'height="{BOX_HEIGHT}" rx="6" fill="#ffffff" stroke="#334155"/>'
            )
            size = 13 if len(name) <= 14 else 11
            parts.append(
                f'<text x="{x + box_width / 2:.1f}" y="{box_y + BOX_HEIGHT / 2 + 4:.1f}" '
                f'font-size="{size}" text-anchor="middle" fill="#0f172a">{escape(name)}</text>'
            )
            centre[name] = (x + box_width, box_y + BOX_HEIGHT / 2)
            x += box_width + BOX_GAP
    bottom = TOP + len(layers) * (BAND_HEIGHT + BAND_GAP) - BAND_GAP
    parts.append(
        f'<line x1="{WIDTH - 26}" y1="{TOP + 6}" x2="{WIDTH - 26}" y2="{bottom - 6}" '
        'stroke="#475569" stroke-width="2" marker-end="url(#down)"/>'
    )
    for (lower, higher), names in sorted(edges.items()):
        if lower not in centre or higher not in centre:
            continue
        # From the right edge of the lower box, bowing right, to the right edge of the higher.
        (x1, y1), (x2, y2) = centre[lower], centre[higher]
        bend = max(x1, x2) + 70
        parts.append(
            f'<path d="M{x1:.1f},{y1:.1f} C{bend:.1f},{y1:.1f} {bend:.1f},{y2:.1f} '
            f'{x2 + 2:.1f},{y2:.1f}" fill="none" stroke="#b45309" stroke-width="1.5" '
            'stroke-dasharray="5,4" marker-end="url(#up)"/>'
        )
        middle = (y1 + y2) / 2 - 6 * (len(names) - 1)
        for line, name in enumerate(sorted(names)):
            parts.append(
                f'<text x="{bend + 6:.1f}" y="{middle + line * 12:.1f}" font-size="10" '
                f'fill="#b45309">{escape(name)}</text>'
            )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT
    output.write_text(draw(contract_layers(), hook_edges()))
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
