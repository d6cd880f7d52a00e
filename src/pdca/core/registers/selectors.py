"""Reading register entries: scoped to what the user may see, with the related rows the list,
the detail page and the export show fetched up front (no query per row)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from pdca.core.permissions import scope
from pdca.core.registers.spec import RegisterSpec
from pdca.core.tenants import Tenant

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from pdca.core.models import OrgOwned


def entries_for(
    spec: RegisterSpec, user: AbstractBaseUser, organization: Tenant, *, action: str = "view"
) -> models.QuerySet[OrgOwned]:
    """The entries of `organization` that `user` may `action`, ready to list or export."""
    queryset: models.QuerySet[OrgOwned] = scope(
        spec.model.objects.filter(organization=organization), user, action
    )
    related = {*spec.select_related}
    prefetch: set[str | models.Prefetch[Any, Any, Any]] = {*spec.prefetch_related}
    for name in (*spec.columns, *spec.fields):
        try:
            field = spec.model_field(name)
        except Exception:  # noqa: S112  (a property column: nothing to fetch)
            continue
        if field.many_to_one:
            related.add(name)
        elif field.many_to_many:
            prefetch.add(name)
    if "requirements" in prefetch:
        prefetch.discard("requirements")
        prefetch.add(
            models.Prefetch(
                "requirements",
                queryset=spec.related_model("requirements")
                ._default_manager.select_related("standard")
                .order_by("standard__name", "sort_key"),
            )
        )
    queryset = queryset.select_related(*sorted(related)).prefetch_related(*prefetch)
    if spec.annotate is not None:
        queryset = spec.annotate(queryset)
    return queryset
