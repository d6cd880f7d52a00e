"""Vendored front-end assets ship whole: no source map is named that is not shipped (the
production static storage fails on such a reference), and each keeps its licence."""

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "pdca"
VENDORED = sorted(
    path
    for path in SRC.glob("**/static/vendor/**/*")
    if path.is_file() and path.suffix in (".js", ".css")
)
SOURCE_MAP = re.compile(rb"[#@]\s*sourceMappingURL\s*=\s*([^\s*'\"]+)")


def test_there_are_vendored_assets_to_check():
    assert any(p.name == "bootstrap.min.css" for p in VENDORED)
    assert any(p.name == "htmx.min.js" for p in VENDORED)


@pytest.mark.parametrize("path", VENDORED, ids=lambda p: str(p.relative_to(SRC)))
def test_no_vendored_asset_names_a_missing_source_map(path):
    for match in SOURCE_MAP.finditer(path.read_bytes()):
        target = match.group(1).decode()
        if target.startswith("data:"):
            continue
        assert (path.parent / target.split("?")[0]).is_file(), (
            f"{path.relative_to(SRC)} names the source map {target}, which is not shipped: "
            "remove the sourceMappingURL comment (or ship the map)"
        )


@pytest.mark.parametrize("path", VENDORED, ids=lambda p: str(p.relative_to(SRC)))
def test_every_vendored_asset_keeps_its_licence(path):
    folder = path.parent
    while folder.parent.name != "vendor" and folder.name != "vendor":
        folder = folder.parent
    assert (folder / "LICENSE").is_file(), f"{folder} has no LICENSE"
