"""Scoring on the organization's risk method: the score of a likelihood and an impact, the band
(label and colour) a score falls in, whether it may be accepted, and the heat map grid.

Pure functions over a `RiskMethod` (saved or not): no database access, so pages, the API,
exports and the re-scoring of a whole register all compute the same numbers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The score rules a method may use (RiskMethod.ScoreRule values).
RULES = ("product", "sum", "max")

#: The colour of a cell no band covers (only possible with an invalid method).
NO_BAND_COLOUR = "#9e9e9e"


def score(rule: str, likelihood: int, impact: int) -> int:
    """The score of one likelihood level and one impact level under `rule`."""
    if rule == "product":
        return likelihood * impact
    if rule == "sum":
        return likelihood + impact
    if rule == "max":
        return max(likelihood, impact)
    raise ValueError(f"unknown score rule {rule!r}; use one of {', '.join(RULES)}")


def score_for(method, likelihood: int | None, impact: int | None) -> int | None:
    """The score on `method`, or None while the likelihood or the impact is not rated."""
    if likelihood is None or impact is None:
        return None
    return score(method.score_rule, likelihood, impact)


def max_score(method) -> int:
    """The highest score the method can give: both scales at their top level."""
    return score(method.score_rule, len(method.likelihood_labels), len(method.impact_labels))


def band_for(method, value: int | None) -> dict | None:
    """The first band whose `up_to` is at least `value`; None for no score (or no band)."""
    if value is None:
        return None
    for band in method.bands:
        if band["up_to"] >= value:
            return band
    return None


def is_acceptable(method, value: int | None) -> bool:
    """True when the score is within the acceptance threshold; an unrated risk is not
    acceptable yet."""
    return value is not None and value <= method.acceptance_threshold


def text_colour(background: str) -> str:
    """Black or white, whichever reads better on `background` (#rrggbb)."""
    try:
        r, g, b = (int(background[i : i + 2], 16) / 255 for i in (1, 3, 5))
    except (ValueError, TypeError):
        return "#000000"

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    # Contrast against white is (1.05) / (L + 0.05); against black (L + 0.05) / 0.05.
    return "#000000" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "#ffffff"


def level_label(labels: list[str], level: int | None) -> str:
    """ "3 Possible" for a level on a scale; "" when not rated, the bare number when off it."""
    if level is None:
        return ""
    if 1 <= level <= len(labels):
        return f"{level} {labels[level - 1]}"
    return str(level)


@dataclass(frozen=True)
class Chip:
    """A score as shown on a page: the number in its band's colour, with the band's label."""

    score: int | None
    band: str
    colour: str
    text_colour: str
    acceptable: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "band": self.band,
            "colour": self.colour,
            "acceptable": self.acceptable,
        }


def chip(method, value: int | None) -> Chip:
    band = band_for(method, value)
    colour = band["colour"] if band else NO_BAND_COLOUR
    return Chip(
        score=value,
        band=band["label"] if band else "",
        colour=colour,
        text_colour=text_colour(colour),
        acceptable=is_acceptable(method, value),
    )


@dataclass(frozen=True)
class HeatCell:
    """One cell of the heat map: a likelihood level crossed with an impact level."""

    likelihood: int
    impact: int
    count: int
    score: int
    band: str
    colour: str
    text_colour: str
    marked: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "likelihood": self.likelihood,
            "impact": self.impact,
            "count": self.count,
            "score": self.score,
            "band": self.band,
            "colour": self.colour,
        }


@dataclass(frozen=True)
class HeatRow:
    likelihood: int
    label: str
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatMap:
    """The grid: rows are likelihood levels from the highest down, columns impact levels from
    1 up. `unrated` counts the pairs with a level missing, `off_scale` those outside the scales
    (left by a method change that was refused, or data inserted around the services)."""

    rows: list[HeatRow]
    impact_labels: list[tuple[int, str]]
    total: int
    unrated: int
    off_scale: int
    bands: list[dict] = field(default_factory=list)

    @property
    def rated(self) -> int:
        return self.total - self.unrated - self.off_scale

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": [
                {
                    "likelihood": row.likelihood,
                    "label": row.label,
                    "cells": [c.as_dict() for c in row.cells],
                }
                for row in self.rows
            ],
            "impact_labels": [label for _, label in self.impact_labels],
            "total": self.total,
            "rated": self.rated,
            "unrated": self.unrated,
            "off_scale": self.off_scale,
        }


def heat_map(
    method,
    pairs: Iterable[tuple[int | None, int | None]],
    *,
    mark: tuple[int | None, int | None] | None = None,
) -> HeatMap:
    """The heat map of (likelihood, impact) pairs on `method`; `mark` highlights one cell."""
    return heat_map_from_counts(method, Counter(pairs), mark=mark)


def heat_map_from_counts(
    method,
    counts: Mapping[tuple[int | None, int | None], int],
    *,
    mark: tuple[int | None, int | None] | None = None,
) -> HeatMap:
    """The same, from {(likelihood, impact): number of risks} (as a GROUP BY gives it)."""
    n_likelihood, n_impact = len(method.likelihood_labels), len(method.impact_labels)
    total = unrated = off_scale = 0
    for (likelihood, impact), n in counts.items():
        total += n
        if likelihood is None or impact is None:
            unrated += n
        elif not (1 <= likelihood <= n_likelihood and 1 <= impact <= n_impact):
            off_scale += n
    rows = []
    for likelihood in range(n_likelihood, 0, -1):
        cells = []
        for impact in range(1, n_impact + 1):
            value = score(method.score_rule, likelihood, impact)
            band = band_for(method, value)
            colour = band["colour"] if band else NO_BAND_COLOUR
            cells.append(
                HeatCell(
                    likelihood=likelihood,
                    impact=impact,
                    count=counts.get((likelihood, impact), 0),
                    score=value,
                    band=band["label"] if band else "",
                    colour=colour,
                    text_colour=text_colour(colour),
                    marked=mark == (likelihood, impact),
                )
            )
        rows.append(HeatRow(likelihood, method.likelihood_labels[likelihood - 1], cells))
    return HeatMap(
        rows=rows,
        impact_labels=list(enumerate(method.impact_labels, start=1)),
        total=total,
        unrated=unrated,
        off_scale=off_scale,
        bands=list(method.bands),
    )
