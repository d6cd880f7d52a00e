"""The portfolio page: a consultancy's clients across them, for its consultants and managers.
Anyone else signed in gets a page that says why there is nothing to show (403). Thin: the
figures come from `selectors.portfolio_for`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from pdca.engagements.portfolio.selectors import (
    NotConsultant,
    portfolio_for,
    require_consultancy,
)

TEMPLATE = "engagements/portfolio/portfolio.html"


def client_pages() -> list[tuple[str, str]]:
    """The client's pages a member of it opens from the portfolio (after switching to it)."""
    return [
        ("Dashboard", reverse("reviews:dashboard")),
        ("Gap assessments", reverse("assessments:assessment_list")),
        ("Nonconformities", reverse("improvement:nonconformities-list")),
        ("Audits", reverse("audits:audits-list")),
    ]


@login_required
def portfolio(request: HttpRequest) -> HttpResponse:
    """Totals across the clients, then each client by what needs attention first."""
    try:
        consultancies = require_consultancy(request.user)
    except NotConsultant as exc:
        return render(request, TEMPLATE, {"refused": exc.message}, status=403)
    figures = portfolio_for(consultancies, user=request.user)
    return render(
        request,
        TEMPLATE,
        {"p": figures, "totals": figures.totals, "client_pages": client_pages()},
    )
