"""The organization's risks on the heat map: how many sit in each cell of likelihood and impact,
before treatment (inherent) or after it (residual), for all risks or one kind."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count

from pdca.core.permissions import scope
from pdca.risks import scoring
from pdca.risks.method.services import method_for
from pdca.risks.models import Risk

BASES = ("inherent", "residual")
#: The risk list page of the Risk register; it filters on the rating query parameters.
RISK_LIST_PATH = "/risks/"


def risk_heat_map(organization, user, *, kind: str | None = None, basis: str = "inherent"):
    """The heat map of the risks of `organization` that `user` may see: one GROUP BY query,
    whatever the number of risks."""
    if basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}")
    likelihood, impact = f"{basis}_likelihood", f"{basis}_impact"
    risks = scope(Risk.objects.filter(organization=organization), user)
    if kind:
        risks = risks.filter(kind=kind)
    counts = {
        (row[likelihood], row[impact]): row["n"]
        for row in risks.order_by().values(likelihood, impact).annotate(n=Count("pk"))
    }
    return scoring.heat_map_from_counts(method_for(organization), counts)


def cell_url(likelihood: int, impact: int, *, basis: str, kind: str | None = None) -> str:
    """The risk list filtered on one cell of the heat map."""
    query: dict[str, int | str] = {f"{basis}_likelihood": likelihood, f"{basis}_impact": impact}
    if kind:
        query["kind"] = kind
    return f"{RISK_LIST_PATH}?{urlencode(query)}"


def grid_rows(grid: scoring.HeatMap, url=None) -> list[dict]:
    """The grid's rows for the `risks/heatmap_grid.html` fragment, each cell with the link
    `url(cell)` gives (no link without `url`)."""
    return [
        {
            "likelihood": row.likelihood,
            "label": row.label,
            "cells": [{"cell": cell, "url": url(cell) if url else None} for cell in row.cells],
        }
        for row in grid.rows
    ]
