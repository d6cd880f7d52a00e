"""What a register is: a declaration (`RegisterSpec`) from which the framework builds the
register's pages, API endpoints, XLSX export and import, CLI commands and requirement links.

A domain app declares one spec per register in its `registers.py` and adds `register_urls`
and `add_register_routes` to its URLs and router. Register-specific rules go in the spec's
hooks, which the generic services call inside the same transaction:

- `validate(instance, related)`: raise `ValidationFailed` naming the field (runs after the
  model's own validation); `related` maps each many-to-many field to the chosen objects;
- `before_save(instance)`: fill derived fields (scores, codes) from the validated values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic

from django.db import models

from pdca.core.modelinfo import forward_field, related_model

if TYPE_CHECKING:
    from typing_extensions import TypeVar

    from pdca.core.models import OrgOwned

    #: The register's model; a bare `RegisterSpec` is one of any register.
    _E = TypeVar("_E", bound=OrgOwned, default=OrgOwned, covariant=True)
else:
    from typing import TypeVar

    _E = TypeVar("_E")

#: slug → spec, in declaration order (the CLI lists them, coverage reads them).
_specs: dict[str, RegisterSpec] = {}


# Compared and hashed by identity: each spec is declared once, and caches key on it.
@dataclass(frozen=True, eq=False)
class RegisterSpec(Generic[_E]):
    #: Every register's model is archivable too (`core.models.Archivable`).
    model: type[_E]
    #: URL and CLI name: "context-issues", "processes"…
    slug: str
    #: URL namespace of the app whose urls.py includes `register_urls(spec)`.
    namespace: str
    #: Editable fields, in form and spreadsheet order (concrete fields and many-to-many).
    fields: tuple[str, ...]
    #: Columns of the list page (fields or `@property` names).
    columns: tuple[str, ...]
    #: Fields the list page and API filter on (choices, booleans, foreign keys).
    filters: tuple[str, ...] = ()
    #: Filters applied from the query string but not shown in the filter form (links from
    #: charts such as the heat map set them).
    hidden_filters: tuple[str, ...] = ()
    #: Text fields searched by `q`.
    search: tuple[str, ...] = ()
    #: Fields the list may be sorted by (first is the default).
    ordering: tuple[str, ...] = ()
    #: The field naming an entry in spreadsheets and pickers ("code", "name", "title").
    key_field: str = "title"
    #: Harmonized Structure or standard clause numbers every entry answers, without linking
    #: each one by hand (context issues answer 4.1 of every adopted standard).
    clauses: tuple[str, ...] = ()
    #: Only for these standards' clauses (codes); empty means every standard with the clause.
    clause_standards: tuple[str, ...] = ()
    #: Fields that may only hold members of the organization.
    user_fields: tuple[str, ...] = ("owner",)
    #: Limits choices of a foreign key or many-to-many field: {field: callable(queryset,
    #: organization) -> queryset}. Other organizations' rows are always left out.
    limit_choices: dict[str, Callable[[models.QuerySet, Any], models.QuerySet]] = field(
        default_factory=dict
    )
    # Hooks take the register's own model: Any, as a covariant type variable cannot type an
    # argument.
    validate: Callable[[Any, dict[str, list[Any]]], None] | None = None
    before_save: Callable[[Any], None] | None = None
    #: Extra template included on the detail page, with `object` and `extra` in its context.
    detail_template: str | None = None
    #: Extra context for `detail_template`: callable(request, obj) -> dict.
    detail_context: Callable[[Any, Any], dict[str, Any]] | None = None
    #: Links shown at the top of the list page: (label, url name in the namespace).
    list_links: tuple[tuple[str, str], ...] = ()
    #: Fields the form shows only for some values of another field: {field: (other, values)}.
    shown_when: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    #: Help shown under the list title.
    intro: str = ""
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    #: Adds annotations the list needs (latest measurement, counts): callable(queryset).
    annotate: Callable[[models.QuerySet], models.QuerySet] | None = None
    #: Column headers for `columns` that are not model fields: {name: header}.
    column_labels: dict[str, str] = field(default_factory=dict)
    #: Heading of an entry's linked requirements on its page: what the link means in this
    #: register (an audit's are the requirements in its scope, not ones it meets).
    requirements_label: str = "Requirements it answers"

    def __post_init__(self) -> None:
        existing = _specs.get(self.slug)
        if existing is not None and existing.model is not self.model:
            raise ValueError(f"register slug {self.slug!r} is already used by {existing.model}")
        _specs[self.slug] = self

    # --- what the model says ------------------------------------------------------------

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def verbose_name_plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def title(self) -> str:
        name = self.verbose_name_plural
        return name[:1].upper() + name[1:]

    def model_field(self, name: str) -> models.Field:
        return forward_field(self.model, name)

    def related_model(self, name: str) -> type[models.Model]:
        return related_model(self.model_field(name))

    def is_m2m(self, name: str) -> bool:
        return bool(self.model_field(name).many_to_many)

    @property
    def scalar_fields(self) -> tuple[str, ...]:
        return tuple(
            f for f in self.fields if not self.is_m2m(f) and not self.model_field(f).is_relation
        )

    @property
    def fk_fields(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if self.model_field(f).many_to_one)

    @property
    def m2m_fields(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if self.is_m2m(f))

    def url_name(self, view: str) -> str:
        return f"{self.namespace}:{self.slug}-{view}"


def all_specs() -> list[RegisterSpec]:
    return list(_specs.values())


def spec_for(slug: str) -> RegisterSpec:
    try:
        return _specs[slug]
    except KeyError:
        known = ", ".join(sorted(_specs))
        raise LookupError(f"no register {slug!r}; registers are: {known}") from None


def spec_of_model(model: type[models.Model]) -> RegisterSpec | None:
    for spec in _specs.values():
        if spec.model is model:
            return spec
    return None
