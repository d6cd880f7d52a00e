"""pdca's mark: an SVG of our own (the four steps as one turn), used as the favicon with a
32 px PNG drawn from it for browsers without SVG icons, and beside the name in the header."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

STATIC = Path(__file__).resolve().parents[2] / "src" / "pdca" / "web" / "static" / "pdca"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_mark_is_a_plain_svg_of_our_own():
    svg = (STATIC / "mark.svg").read_text()
    assert svg.startswith("<svg") and 'viewBox="0 0 32 32"' in svg
    assert "<title>pdca</title>" in svg
    # Drawn shapes only: no embedded picture, font or script, nothing fetched.
    assert not re.search(r"<(image|script|text|style)\b|href=|@import|url\(", svg)
    assert svg.count("<path ") == 4  # plan, do, check, act


@pytest.mark.parametrize(("name", "size"), [("favicon-32.png", 32), ("apple-touch-icon.png", 180)])
def test_the_png_fallbacks_have_their_sizes(name, size):
    assert png_size(STATIC / name) == (size, size)


@pytest.mark.django_db
def test_every_page_names_its_icons_and_shows_the_mark(client: Client):
    html = client.get("/accounts/login/").content.decode()
    icons = dict(re.findall(r'<link rel="(icon|apple-touch-icon)" href="([^"]+)"', html))
    assert re.findall(r'<link rel="icon" href="([^"]+)" type="([^"]+)"', html) == [
        ("/static/pdca/mark.svg", "image/svg+xml"),
        ("/static/pdca/favicon-32.png", "image/png"),
    ]
    assert icons["apple-touch-icon"] == "/static/pdca/apple-touch-icon.png"
    brand = re.search(r'<a class="navbar-brand"[^>]*>(.*?)</a>', html, re.S).group(1)
    assert '<img src="/static/pdca/mark.svg" alt=""' in brand and ">pdca<" in brand
    for path in ("pdca/mark.svg", "pdca/favicon-32.png", "pdca/apple-touch-icon.png"):
        assert finders.find(path), path
