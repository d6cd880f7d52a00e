"""Every error of the REST API is a problem detail, whoever produced it.

The API's own handlers (`core.api.install_error_handlers`) answer problems for what happens in
an endpoint. Some answers are made before or around it: a URL under /api/v1/ that matches no
route (or a non-integer id, which no route matches), a method the route does not allow (405),
a request Django itself refuses (400), or a server error. This middleware turns those into
`application/problem+json` too, so a client never has to read an HTML page.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"

_CODES = {
    400: "malformed_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    500: "server_error",
}

_DETAILS = {
    400: "The request could not be read.",
    404: "No such object or endpoint.",
    405: "This endpoint does not accept this method.",
    413: "The request body is too large.",
    500: "Something went wrong on our side; the error was logged.",
}


class ProblemResponsesMiddleware:
    """Replace an error answer of the API that is not a problem detail by one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(API_PREFIX)
            or response.get("Content-Type", "").startswith("application/problem+json")
        ):
            return response
        from pdca.core.api import problem

        status = response.status_code
        try:
            title = HTTPStatus(status).phrase
        except ValueError:
            title = "Error"
        replacement = problem(
            request,
            status=status,
            title=title,
            detail=_DETAILS.get(status, title + "."),
            code=_CODES.get(status, f"http_{status}"),
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "ETag"):
            if response.has_header(header):
                replacement[header] = response[header]
        return replacement


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 handler: a problem document under /api/ (without rendering a template),
    Django's own page elsewhere."""
    if request.path.startswith(API_PREFIX):
        from pdca.core.api import problem

        return problem(
            request, status=404, title="Not found", detail=_DETAILS[404], code=_CODES[404]
        )
    from django.views.defaults import page_not_found as django_page_not_found

    return django_page_not_found(request, exception)
