"""The REST endpoints of every register, built from its spec: list (filters, search,
sorting, paging), create, read, change, delete, history, XLSX export and import.

Relations travel as ids (people as user ids, requirements as requirement ids); another
organization's ids are refused with a 422 naming the field.
"""

import datetime as dt
import decimal
from typing import Any, Literal

from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import BaseModel, Field, create_model

from pdca.core.activity_api import ActivityOut
from pdca.core.api import Id, Input, Page, Serialized, Text, organization_for, responses
from pdca.core.concurrency import announce
from pdca.core.exceptions import FieldError, ValidationFailed
from pdca.core.jobs.api import ACCEPTED, ACCEPTED_EXTRA, accepted
from pdca.core.models import OrgOwned
from pdca.core.permissions import require, scope
from pdca.core.registers import archive, services, spreadsheet
from pdca.core.registers import jobs as register_jobs
from pdca.core.registers.choices import choices_for
from pdca.core.registers.display import entry_url
from pdca.core.registers.filters import sort_key
from pdca.core.registers.selectors import entries_for
from pdca.core.registers.spec import RegisterSpec
from pdca.core.selectors import history_of
from pdca.core.validation import is_text, text_max_length
from pdca.core.xlsx import XLSX_CONTENT_TYPE


def _python_type(field: models.Field, *, for_input: bool) -> Any:
    if field.many_to_many:
        return list[Id] if for_input else list[int]
    if field.many_to_one:
        return Id | None if for_input else int | None
    if field.choices:
        values = tuple(str(v) for v, _ in field.choices)
        return Literal[values] if not field.blank else Literal[(*values, "")]
    if isinstance(field, models.BooleanField):
        return bool | None if field.null else bool
    if isinstance(field, models.DateTimeField):
        return dt.datetime | None
    if isinstance(field, models.DateField):
        return dt.date | None
    if isinstance(field, models.IntegerField):
        return int | None
    if isinstance(field, models.DecimalField):
        return decimal.Decimal | None if for_input else float | None
    return Text if for_input else str


def _input_field(field: models.Field, *, required: bool) -> tuple[Any, Any]:
    kind = _python_type(field, for_input=True)
    extra: dict[str, Any] = {"description": str(field.help_text or field.verbose_name)}
    if is_text(field) and not field.choices and text_max_length(field):
        extra["max_length"] = text_max_length(field)
    if isinstance(field, models.DecimalField):
        extra["allow_inf_nan"] = False
    if required:
        return kind, Field(..., **extra)
    return kind | None, Field(None, **extra)


def _required(field: models.Field) -> bool:
    return (
        not field.many_to_many
        and not field.blank
        and not field.null
        and field.default is models.NOT_PROVIDED
    )


def schemas(spec: RegisterSpec) -> tuple[type[BaseModel], type[BaseModel], type[BaseModel]]:
    """(Out, Create, Update) schemas of `spec`'s entries."""
    prefix = spec.model.__name__
    out_fields: dict[str, Any] = {
        "id": (int, ...),
        "organization": (str, Field(..., description="Organization slug")),
        "label": (str, Field(..., description="How the entry is named")),
        "url": (str, Field(..., description="The entry's page")),
    }
    for name in spec.fields:
        out_fields[name] = (_python_type(spec.model_field(name), for_input=False), ...)
    for f in spec.model._meta.concrete_fields:
        if not f.editable and f.name not in out_fields and f.name not in ("organization",):
            out_fields[f.name] = (_python_type(f, for_input=False), ...)
    Out = create_model(f"{prefix}Out", **out_fields)
    create_fields: dict[str, Any] = {
        "organization": (Text, Field(..., max_length=60, description="Organization slug")),
    }
    update_fields: dict[str, Any] = {}
    for name in spec.fields:
        f = spec.model_field(name)
        create_fields[name] = _input_field(f, required=_required(f))
        update_fields[name] = _input_field(f, required=False)
    Create = create_model(f"{prefix}Create", __base__=Input, **create_fields)
    Update = create_model(f"{prefix}Update", __base__=Input, **update_fields)
    return Out, Create, Update


def serialize(spec: RegisterSpec, obj: OrgOwned) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": obj.pk,
        "organization": obj.organization.slug,
        "label": str(obj),
        "url": entry_url(obj) or "",
    }
    for name in spec.fields:
        f = spec.model_field(name)
        if f.many_to_many:
            data[name] = [o.pk for o in getattr(obj, name).all()]
        elif f.many_to_one:
            data[name] = getattr(obj, f.attname)
        else:
            value = getattr(obj, name)
            data[name] = float(value) if isinstance(value, decimal.Decimal) else value
    for f in spec.model._meta.concrete_fields:
        if not f.editable and f.name not in data and f.name != "organization":
            value = getattr(obj, f.attname)
            data[f.name] = float(value) if isinstance(value, decimal.Decimal) else value
    return data


def _resolve(spec: RegisterSpec, organization, data: dict[str, Any]) -> dict[str, Any]:
    """Replace relation ids by the organization's objects; unknown ids name their field."""
    errors = []
    for name in (*spec.fk_fields, *spec.m2m_fields):
        if name not in data or data[name] is None:
            continue
        ids = data[name] if spec.is_m2m(name) else [data[name]]
        found = choices_for(spec, name, organization).in_bulk(ids)
        missing = [i for i in ids if i not in found]
        if missing:
            errors.append(
                FieldError(name, f"Not found in this organization: {', '.join(map(str, missing))}.")
            )
            continue
        data[name] = [found[i] for i in ids] if spec.is_m2m(name) else found[ids[0]]
    if errors:
        raise ValidationFailed(errors)
    return data


def _filter_model(spec: RegisterSpec) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "organization": (Text | None, Field(None, max_length=60, description="Organization slug")),
        "q": (
            Text | None,
            Field(None, max_length=200, description="Words in " + ", ".join(spec.search)),
        ),
        "sort": (
            Text | None,
            Field(
                None,
                max_length=60,
                description="Sort by " + ", ".join(spec.ordering) + " (prefix - for descending)",
            ),
        ),
    }
    if archive.is_archivable(spec.model):
        fields["archived"] = (
            Literal["no", "yes", "all"],
            Field("no", description="Archived entries: left out (no), only them (yes) or all"),
        )
    for name in spec.filters:
        f = spec.model_field(name)
        kind = _python_type(f, for_input=True)
        if f.many_to_many:
            kind = Id | None
        fields[name] = (kind | None, Field(None, description=f"Filter by {f.verbose_name}"))
    return create_model(f"{spec.model.__name__}Filter", **fields)


def _apply_filters(spec: RegisterSpec, queryset, filters: BaseModel):
    values = filters.model_dump(exclude_none=True)
    if "organization" in values:
        queryset = queryset.filter(organization__slug=values.pop("organization"))
    if "q" in values:
        for word in values.pop("q").split()[:8]:
            condition = Q()
            for field in spec.search:
                condition |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(condition)
        if any("__" in f for f in spec.search):
            queryset = queryset.distinct()
    order = sort_key(spec, values.pop("sort", None))
    archived = values.pop("archived", None)
    if archived == "no":
        queryset = queryset.filter(archived_at__isnull=True)
    elif archived == "yes":
        queryset = queryset.filter(archived_at__isnull=False)
    for name, value in values.items():
        queryset = queryset.filter(**{name: value})
    if any(spec.is_m2m(n) for n in values):
        queryset = queryset.distinct()
    return queryset.order_by(order, "pk")


class ReasonIn(Input):
    reason: Text = Field(..., min_length=1, max_length=archive.MAX_REASON)


class RestoreIn(Input):
    reason: Text = Field("", max_length=archive.MAX_REASON)


def _add_archive_routes(router: Router, spec: RegisterSpec, base, name, tag, Out, get) -> None:
    noun = spec.verbose_name

    def archive_(request, entry_id: int, payload: ReasonIn):
        archive.archive_entry(
            spec, get(request.auth, entry_id), actor=request.auth, **dict(payload)
        )
        return serialize(spec, get(request.auth, entry_id))

    archive_.__doc__ = (
        f"Archive (withdraw, cancel, make obsolete) a {noun} with a reason: it stays readable, "
        "leaves the default list and may be restored."
    )
    router.post(
        f"{base}{{int:entry_id}}/archive/",
        response=responses(Out),
        tags=[tag],
        operation_id=f"archive_{name}",
    )(archive_)

    def restore(request, entry_id: int, payload: RestoreIn):
        archive.restore_entry(
            spec, get(request.auth, entry_id), actor=request.auth, **dict(payload)
        )
        return serialize(spec, get(request.auth, entry_id))

    restore.__doc__ = f"Bring an archived {noun} back into the list."
    router.post(
        f"{base}{{int:entry_id}}/restore/",
        response=responses(Out),
        tags=[tag],
        operation_id=f"restore_{name}",
    )(restore)

    def dispose(request, entry_id: int, payload: ReasonIn):
        archive.dispose_entry(
            spec, get(request.auth, entry_id), actor=request.auth, **dict(payload)
        )
        return Status(204, None)

    dispose.__doc__ = (
        f"Dispose of an archived {noun} for good, once its retention period has passed "
        "(409 `retention_not_over` before); the activity log keeps what it held."
    )
    router.post(
        f"{base}{{int:entry_id}}/dispose/",
        response=responses(None, 204),
        tags=[tag],
        operation_id=f"dispose_{name}",
    )(dispose)


def add_register_routes(router: Router, spec: RegisterSpec, *, prefix: str | None = None) -> None:
    """Add the endpoints of `spec` to `router` under `/<prefix>/` (the slug unless given)."""
    base = f"/{prefix if prefix is not None else spec.slug}/"
    tag = spec.title
    Out, Create, Update = schemas(spec)
    Filters = _filter_model(spec)
    name = spec.slug.replace("-", "_")
    noun = spec.verbose_name

    def _entries(user):
        queryset = scope(spec.model.objects.all(), user).select_related("organization")
        queryset = queryset.select_related(*spec.fk_fields).prefetch_related(*spec.m2m_fields)
        return spec.annotate(queryset) if spec.annotate else queryset

    def _get(user, entry_id: int):
        return get_object_or_404(_entries(user), pk=entry_id)

    def list_entries(request, filters: Query[Filters]):  # type: ignore[valid-type]
        rows = _apply_filters(spec, _entries(request.auth), filters)
        # Serialized one page at a time (see core.api.Serialized).
        return Serialized(rows, lambda obj: serialize(spec, obj))

    list_entries.__name__ = f"list_{name}"
    list_entries.__doc__ = f"The {spec.verbose_name_plural} you may read, filtered and sorted."
    # Out, Create and Update are built at start-up: mypy cannot use them as types.
    router.get(base, response=responses(list[Out]), tags=[tag], operation_id=f"list_{name}")(  # type: ignore[valid-type]
        paginate(Page)(list_entries)
    )

    def create(request, payload: Create):  # type: ignore[valid-type]
        body: Any = payload
        org = organization_for(request.auth, body.organization)
        require(request.auth, "add", spec.model, organization=org)
        data = _resolve(spec, org, body.model_dump(exclude={"organization"}, exclude_unset=True))
        obj = services.create_entry(spec, org, actor=request.auth, **data)
        return Status(201, serialize(spec, _get(request.auth, obj.pk)))

    create.__doc__ = f"Add a {noun}."
    router.post(base, response=responses(Out, 201), tags=[tag], operation_id=f"create_{name}")(
        create
    )

    def read(request, entry_id: int):
        return serialize(spec, announce(_get(request.auth, entry_id)))

    read.__doc__ = f"One {noun}; its `ETag` header is the version to send in `If-Match`."
    router.get(
        f"{base}{{int:entry_id}}/", response=responses(Out), tags=[tag], operation_id=f"get_{name}"
    )(read)

    def update(request, entry_id: int, payload: Update):  # type: ignore[valid-type]
        obj = _get(request.auth, entry_id)
        body: Any = payload
        data = _resolve(spec, obj.organization, body.model_dump(exclude_unset=True))
        services.update_entry(spec, obj, actor=request.auth, **data)
        return serialize(spec, announce(_get(request.auth, entry_id)))

    update.__doc__ = (
        f"Change the given fields of a {noun}; the others stay as they are. With `If-Match` "
        "(the `ETag` of a read), a change based on an older version is refused with 412 "
        "naming what changed, by whom and when."
    )
    router.patch(
        f"{base}{{int:entry_id}}/",
        response=responses(Out),
        tags=[tag],
        operation_id=f"update_{name}",
    )(update)

    def delete(request, entry_id: int):
        services.delete_entry(spec, _get(request.auth, entry_id), actor=request.auth)
        return Status(204, None)

    delete.__doc__ = (
        f"Delete a {noun}. Refused (409 `is_record`) once it is a record: archive it instead."
    )
    router.delete(
        f"{base}{{int:entry_id}}/",
        response=responses(None, 204),
        tags=[tag],
        operation_id=f"delete_{name}",
    )(delete)

    if archive.is_archivable(spec.model):
        _add_archive_routes(router, spec, base, name, tag, Out, _get)

    def history(request, entry_id: int):
        return history_of(_get(request.auth, entry_id), request.auth)

    history.__doc__ = f"The recorded changes of a {noun}, newest first."
    router.get(
        f"{base}{{int:entry_id}}/history/",
        response=responses(list[ActivityOut]),
        tags=[tag],
        operation_id=f"history_{name}",
    )(paginate(Page)(history))

    def export(request, organization: str):
        org = organization_for(request.auth, organization)
        require(request.auth, "view", spec.model, organization=org)
        rows = entries_for(spec, request.auth, org).order_by(sort_key(spec, None), "pk")
        data = spreadsheet.export_entries(spec, rows, organization=org)
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="{spreadsheet.filename(spec, org, dt.date.today())}"'
        )
        return response

    export.__doc__ = f"The organization's {spec.verbose_name_plural} as an XLSX workbook."
    router.get(
        f"{base}export.xlsx",
        response=responses(None),
        tags=[tag],
        operation_id=f"export_{name}",
    )(export)

    def import_(
        request,
        response: HttpResponse,
        organization: str,
        file: File[UploadedFile],
        dry_run: bool = False,
    ):
        org = organization_for(request.auth, organization)
        if file.size and file.size > spreadsheet.MAX_UPLOAD_BYTES:
            raise ValidationFailed.single("file", "The file is larger than 5 MB.")
        job = register_jobs.queue_import(
            spec, org, file.read(), file.name or "", actor=request.auth, dry_run=dry_run
        )
        return accepted(response, job)

    import_.__doc__ = (
        f"Queue the import of {spec.verbose_name_plural} from an XLSX workbook (the export's "
        "layout): 202 with the job. It adds and changes all rows or none; `dry_run` checks "
        "without saving. When it succeeded, its `result` holds the counts and ids; when it "
        "failed, `errors` lists every bad cell as `Sheet!C7`."
    )
    router.post(
        f"{base}import/jobs/",
        response=ACCEPTED,
        tags=[tag],
        operation_id=f"import_{name}",
        openapi_extra=ACCEPTED_EXTRA,
    )(import_)
