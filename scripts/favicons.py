"""Render the PNG fallbacks of pdca's mark (src/pdca/web/static/pdca/mark.svg): a 32 px
favicon for browsers without SVG icons, and a 180 px icon for phone home screens.

The SVG is the source; the PNGs are drawn from it by the same Chromium the browser tests use
(Playwright, /usr/bin/chromium), with a transparent background. Run it after changing the mark:

    python scripts/favicons.py
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

STATIC = Path(__file__).resolve().parent.parent / "src" / "pdca" / "web" / "static" / "pdca"
CHROMIUM = "/usr/bin/chromium"
#: file name → (size in pixels, background): phones want an opaque home-screen icon.
OUTPUTS = {"favicon-32.png": (32, "transparent"), "apple-touch-icon.png": (180, "#ffffff")}


def main() -> None:
    svg = (STATIC / "mark.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for name, (size, background) in OUTPUTS.items():
            page = browser.new_page(viewport={"width": size, "height": size})
            sized = svg.replace('width="32" height="32"', f'width="{size}" height="{size}"', 1)
            page.set_content(f'<body style="margin:0;background:{background}">{sized}</body>')
            page.screenshot(
                path=str(STATIC / name),
                omit_background=background == "transparent",
                clip={"x": 0, "y": 0, "width": size, "height": size},
            )
            page.close()
            print(f"wrote {STATIC / name} ({size} px)")
        browser.close()


if __name__ == "__main__":
    main()
