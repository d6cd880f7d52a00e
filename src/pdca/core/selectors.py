"""Read-side queries of the activity log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import QuerySet

from pdca.core.activity import object_label
from pdca.core.models import ActivityEntry
from pdca.core.permissions import require, scope

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def activity_for(user: AbstractBaseUser) -> QuerySet[ActivityEntry]:
    """Entries of the organizations where the user may read the log."""
    return scope(ActivityEntry.objects.select_related("actor", "organization"), user)


def history_of(obj: models.Model, user: AbstractBaseUser) -> QuerySet[ActivityEntry]:
    """The changes of one object, for anyone who may see the object itself."""
    require(user, "view", obj)
    return ActivityEntry.objects.filter(
        object_type=object_label(obj), object_id=str(obj.pk)
    ).select_related("actor")
