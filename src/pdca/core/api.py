"""REST API building blocks: authentication, problem details, pagination, base schemas.

Every router of every app uses these, so all endpoints authenticate, page and fail alike.
Errors are RFC 9457 problem details (`application/problem+json`) that name the field and the
problem.
"""

from __future__ import annotations

import enum
import functools
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import BadRequest, ObjectDoesNotExist, RequestDataTooBig
from django.db import DataError, IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template import Variable
from ninja import NinjaAPI, Query, Schema
from ninja import schema as ninja_schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi import schema as ninja_openapi
from ninja.pagination import PaginationBase
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import SessionAuth
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.json_schema import DefsRef

from pdca.core.exceptions import ServiceError, ValidationFailed

PROBLEM_CONTENT_TYPE = "application/problem+json"

logger = logging.getLogger(__name__)


#: A row id the database can hold (larger ones would fail in the database, not here).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
#: Text without NUL characters, which PostgreSQL refuses to store or compare.
Text = Annotated[str, Field(pattern=r"^[^\x00]*$")]


def omitted(**constraints: Any) -> Any:
    """The default of an update field that may be left out (None: left alone) but not sent as
    null: None, outside the field's type, keeps null out of the schema. Any, because that is
    not a value of the field's type."""
    return Field(None, **constraints)


class Input(BaseModel):
    """Base of request bodies: a JSON object with known fields only.

    Plain pydantic (not `ninja.Schema`) so that a body that is not an object is refused instead
    of being read attribute by attribute.
    """

    model_config = ConfigDict(extra="forbid", from_attributes=False, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul_characters(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text; refuse it here, where the field can be named.
        def walk(v: Any) -> None:
            if isinstance(v, str) and "\x00" in v:
                raise ValueError("Must not contain a NUL character.")
            if isinstance(v, list | tuple | set):
                for x in v:
                    walk(x)
            elif isinstance(v, dict):
                for k, x in v.items():
                    walk(k)
                    walk(x)

        walk(value)
        return value


class FieldProblem(Schema):
    field: str = Field(description="Dotted path of the field, empty for the whole input")
    message: str
    code: str


class Problem(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem] = []


#: Error responses every endpoint may give, for the OpenAPI document.
ERRORS: dict[int, Any] = {
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    # A write based on a stale version (`If-Match`); see docs/concurrency.md.
    412: Problem,
    422: Problem,
}


def responses(ok: Any, status: int = 200) -> dict[int, Any]:
    return {status: ok, **ERRORS}


class BrowserSession(SessionAuth):
    """The signed-in browser session; CSRF is checked on unsafe methods."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is no session to protect, so no CSRF to check: such a
        # request (an expired API token, no credentials at all) gets 401, not a CSRF refusal.
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        return super().authenticate(request, key) if key else None


def problem(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str,
    code: str,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    import json

    body = {
        "type": f"urn:pdca:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors or [],
        "instance": request.path,
    }
    return HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)


def _loc_to_field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc]
    # ninja prefixes the location with the parameter source and the parameter's name.
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form", "file"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "data", "filters", "params"}:
            parts = parts[1:]
    return ".".join(parts)


def _enum_for_ref(core_ref: str) -> type[enum.Enum] | None:
    """The enumeration a pydantic core reference (`module.Qual.Name:id`) points to, if any."""
    dotted = core_ref.rsplit(":", 1)[0]
    if "[" in dotted:
        return None
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        found: Any = module
        for name in parts[cut:]:
            found = getattr(found, name, None)
        return found if isinstance(found, type) and issubclass(found, enum.Enum) else None
    return None


def enum_component_name(enum_class: type[enum.Enum]) -> str:
    """The OpenAPI component name of an enumeration: its qualified name without dots, so that
    `GapItem.Status` and `Audit.Status` are `GapItemStatus` and `AuditStatus`, not one `Status`
    overwriting the other."""
    return enum_class.__qualname__.replace(".", "")


class PdcaJsonSchema(NinjaGenerateJsonSchema):
    """Names enumeration components after their qualified name (see `enum_component_name`).

    django-ninja generates each schema on its own and merges their definitions by name, so two
    enumerations called `Status` in different models would silently document one as the other.
    """

    def get_defs_ref(self, core_mode_ref):
        defs_ref = super().get_defs_ref(core_mode_ref)
        enum_class = _enum_for_ref(core_mode_ref[0])
        if enum_class is not None:
            choices = self._prioritized_defsref_choices[defs_ref]
            short, short_mode = choices[0], choices[1]
            name = self.normalize_name(enum_component_name(enum_class))
            choices[0] = DefsRef(name)
            choices[1] = DefsRef(name + short_mode[len(short) :])
        return defs_ref


# django-ninja builds the OpenAPI document with this generator (there is no setting for it).
ninja_openapi.NinjaGenerateJsonSchema = PdcaJsonSchema  # type: ignore[misc]  # a replaced class


@functools.lru_cache(maxsize=2048)
def _template_variable(lookup: str) -> Variable:
    return Variable(lookup)


# A dotted alias (`Field(alias="standard.code")`) is read through a template Variable built
# anew for every field of every row (django-ninja's own TODO says to cache it). Parsing it
# took a fifth of the seven-standard items list; a Variable does not change once built, so
# each distinct lookup is parsed once per process.
ninja_schema.Variable = _template_variable  # type: ignore[assignment,misc]  # a cached factory


class PdcaAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document gives error responses their real media type."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationFailed)
    def _validation_failed(request, exc: ValidationFailed):
        return problem(
            request,
            status=422,
            title=exc.title,
            detail=exc.message,
            code=exc.code,
            errors=[{"field": e.field, "message": e.message, "code": e.code} for e in exc.errors],
        )

    @api.exception_handler(ServiceError)
    def _service_error(request, exc: ServiceError):
        return problem(
            request, status=exc.status, title=exc.title, detail=exc.message, code=exc.code
        )

    @api.exception_handler(NinjaValidationError)
    def _schema_error(request, exc: NinjaValidationError):
        errors = [
            {
                "field": _loc_to_field(e.get("loc", [])),
                "message": e.get("msg", "Invalid value."),
                "code": e.get("type", "invalid"),
            }
            for e in exc.errors
        ]
        detail = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
        return problem(
            request,
            status=422,
            title="Invalid input",
            detail=detail,
            code="validation_failed",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return problem(
            request,
            status=401,
            title="Authentication required",
            detail="Sign in, or send a valid API token as 'Authorization: Bearer <token>'.",
            code="not_authenticated",
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem(
            request, status=404, title="Not found", detail="No such object.", code="not_found"
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return problem(
            request,
            status=413,
            title="Request body too large",
            detail=f"The request body is larger than {limit} bytes.",
            code="request_too_large",
        )

    @api.exception_handler(MultiPartParserError)
    @api.exception_handler(BadRequest)
    def _bad_request(request, exc):
        return problem(
            request,
            status=400,
            title="Malformed request",
            detail=f"The request body could not be read: {exc}",
            code="malformed_request",
        )

    # The last line of defence: a row that vanished under a concurrent delete, or a write the
    # database refused, is the client's 404 or 409, never a server error. Services should have
    # named the problem first; these are logged so that they can be found and fixed.
    @api.exception_handler(ObjectDoesNotExist)
    def _vanished(request, exc):
        logger.warning("Object vanished during %s %s: %s", request.method, request.path, exc)
        return problem(
            request, status=404, title="Not found", detail="No such object.", code="not_found"
        )

    @api.exception_handler(IntegrityError)
    def _conflict(request, exc):
        logger.warning("Integrity error during %s %s: %s", request.method, request.path, exc)
        return problem(
            request,
            status=409,
            title="Conflict",
            detail="The change conflicts with the current data (it may have just changed).",
            code="conflict",
        )

    @api.exception_handler(DataError)
    def _data_error(request, exc):
        logger.warning("Data error during %s %s: %s", request.method, request.path, exc)
        return problem(
            request,
            status=422,
            title="Invalid input",
            detail="A value does not fit its field (too long or out of range).",
            code="validation_failed",
        )

    @api.exception_handler(HttpError)
    def _http_error(request, exc: HttpError):
        return problem(
            request,
            status=exc.status_code,
            title="Request refused",
            detail=str(exc),
            code=f"http_{exc.status_code}",
        )


class Serialized:
    """Rows of a queryset as an endpoint gives them, serialized only for the page `Page`
    slices: the count is one query, and a 20,000-row register is not serialized whole to
    answer 50 rows."""

    def __init__(self, rows: Any, serialize: Callable[[Any], Any]) -> None:
        self.rows = rows
        self.serialize = serialize

    def all(self) -> Serialized:
        return self

    def count(self) -> int:
        return int(self.rows.count())

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Any]:
        return [self.serialize(row) for row in self.rows[index]]

    def __iter__(self) -> Iterator[Any]:
        return (self.serialize(row) for row in self.rows)


class Page(PaginationBase):
    """`?limit=&offset=` paging; the answer carries the total count."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500, description="Rows per page (1 to 500)")
        offset: int = Field(0, ge=0, le=1_000_000_000, description="Rows to skip")

    class Output(Schema):
        count: int
        limit: int
        offset: int
        items: list[Any]

    InputSource = Query(...)

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        offset, limit = pagination.offset, pagination.limit
        return {
            "count": self._items_count(queryset),
            "limit": limit,
            "offset": offset,
            "items": queryset[offset : offset + limit],
        }


def organization_for(user, slug: str | None, *, may_view=None):
    """One of the user's organizations: the one whose slug is given, or their only one (422
    naming `organization` when they belong to several). Another organization answers 404, and so
    does one where the user's role may not view `may_view` (a model), when it is given."""
    from django.shortcuts import get_object_or_404

    from pdca.core.permissions import may, scope
    from pdca.core.tenants import tenant_model

    organizations = scope(tenant_model()._default_manager.all(), user)
    if slug:
        organization = get_object_or_404(organizations, slug=slug)
    else:
        found = list(organizations[:2])
        if len(found) != 1:
            raise ValidationFailed.single(
                "organization",
                "You belong to several organizations: give the organization's slug.",
            )
        organization = found[0]
    if may_view is not None and not may(user, "view", may_view, organization=organization):
        raise Http404("No such object.")
    return organization
