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


class PreconditionMiddleware:
    """The version a write is based on, for `core.concurrency`: the `If-Match` header of an
    API request, the `_version` field of a page's form. A value that is not one of our ETags is
    refused (412 in the API). Sends the `ETag` of the object an API request read or changed."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from pdca.core.concurrency import VERSION_FIELD, precondition

        is_api = request.path.startswith("/api/")
        value = None
        if request.method not in self.SAFE_METHODS:
            if is_api:
                value = request.headers.get("If-Match")
            else:
                content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
                if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                    value = request.POST.get(VERSION_FIELD)
        try:
            context = precondition(value)
            state = context.__enter__()
        except ValueError:
            message = "If-Match must hold an ETag this API sent (or *)."
            if is_api:
                from pdca.core.api import problem

                return problem(
                    request,
                    status=412,
                    title="Precondition failed",
                    detail=message,
                    code="bad_precondition",
                )
            return HttpResponseBadRequest("The form's version field is not valid: reload the page.")
        if value and not is_api:
            state.own_changes_by = lambda: getattr(request.user, "email", "") or ""
        try:
            response = self.get_response(request)
        finally:
            context.__exit__(None, None, None)
        if (
            is_api
            and state.etag
            and (response.status_code < 300 or response.status_code == 412)
            and not response.has_header("ETag")
        ):
            response["ETag"] = state.etag
        return response
