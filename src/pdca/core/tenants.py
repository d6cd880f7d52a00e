"""The tenant model: the organization that owns every org-owned row.

Core is the bottom layer and imports no app, yet its base models point at the organization
table and its permission layer scopes by it. As Django does for the user model
(`AUTH_USER_MODEL`, `get_user_model`), the organization model is named once, here, and looked up
through the app registry.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from django.apps import apps
from django.db import models

TENANT_MODEL = "tenancy.Organization"

#: An organization in a type hint: core may not name tenancy's model (the plugin still checks
#: `OrgOwned.organization` against it).
Tenant: TypeAlias = Any


def tenant_model() -> type[models.Model]:
    """The organization model class."""
    return apps.get_model(TENANT_MODEL, require_ready=False)


def is_tenant(obj: object) -> bool:
    """Whether `obj` is an organization (not a row owned by one)."""
    return isinstance(obj, tenant_model())
