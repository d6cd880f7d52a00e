"""The public pages (no sign-in): verifying one certificate by its number, and the public
register of the bodies that publish theirs. Rate-limited per client address (429 with
Retry-After); the facts shown are those of `services.certificate_public`, nothing else."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pdca.certification.services.certificate_public import (
    RegisterQuery,
    find_certificate,
    public_facts,
    rate_limited,
    register_row,
    register_rows,
)
from pdca.standards.models import Standard

#: Rows of the public register per page.
PAGE_SIZE = 25


def _too_many(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(request, "certification/public/too_many.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@require_GET
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    wait = rate_limited(request)
    if wait:
        return _too_many(request, wait)
    found = find_certificate(number)
    if found is None:
        return render(
            request, "certification/public/unknown.html", {"number": number[:40]}, status=404
        )
    return render(request, "certification/public/certificate.html", {"c": public_facts(found)})


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    wait = rate_limited(request)
    if wait:
        return _too_many(request, wait)
    query = RegisterQuery(
        q=request.GET.get("q", "").strip()[:200],
        standard=request.GET.get("standard", "").strip()[:60],
        body=request.GET.get("body", "").strip()[:200],
    )
    searched = bool(query.q or query.standard or query.body)
    page = Paginator(register_rows(query), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/public/register.html",
        {
            "query": query,
            "searched": searched,
            "page": page,
            "rows": [register_row(c) for c in page.object_list],
            "standards": Standard.objects.order_by("name", "edition").only(
                "code", "name", "edition", "amendments"
            ),
        },
    )
