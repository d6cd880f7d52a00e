"""Request hygiene shared by every page and endpoint."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

_TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded")


def _has_nul(request: HttpRequest) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query.lower() or "\x00" in query:
        return True
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if request.method in {"POST", "PUT", "PATCH"} and content_type in _TEXT_BODIES:
        body = request.body
        return b"\x00" in body or b"\\u0000" in body.lower() or b"%00" in body
    return False


class RejectNulMiddleware:
    """Refuse text containing NUL characters with a clear 400: no field can hold one, and
    PostgreSQL would fail on it deep inside a query instead."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = "The request contains a NUL character, which no field accepts."
            if request.path.startswith("/api/"):
                from pdca.core.api import problem

                return problem(
                    request, status=400, title="Bad request", detail=message, code="nul_character"
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)
