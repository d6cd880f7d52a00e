"""Request hygiene shared by every page and endpoint."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

NUL_MESSAGE = "Must not contain a NUL character."


def _nul_parameters(request: HttpRequest) -> list[str]:
    """Query parameters (and, for plain forms, form fields) holding a NUL character."""
    names = [
        k for k, values in request.GET.lists() if "\x00" in k or any("\x00" in v for v in values)
    ]
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if request.method == "POST" and content_type == "application/x-www-form-urlencoded":
        names += [
            k
            for k, values in request.POST.lists()
            if "\x00" in k or any("\x00" in v for v in values)
        ]
    return [name.replace("\x00", "\\0") for name in names]


class RejectNulMiddleware:
    """Refuse parameters containing NUL characters before they reach a query: no field can hold
    one, and PostgreSQL would fail on it deep inside the database instead. JSON bodies are
    checked field by field by the API's input schemas (`core.api.Input`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        names = _nul_parameters(request)
        if names:
            if request.path.startswith("/api/"):
                from pdca.core.api import problem

                return problem(
                    request,
                    status=422,
                    title="Invalid input",
                    detail="; ".join(f"{n}: {NUL_MESSAGE}" for n in names),
                    code="validation_failed",
                    errors=[
                        {"field": n, "message": NUL_MESSAGE, "code": "nul_character"} for n in names
                    ],
                )
            return HttpResponseBadRequest(f"{', '.join(names)}: {NUL_MESSAGE}")
        return self.get_response(request)
