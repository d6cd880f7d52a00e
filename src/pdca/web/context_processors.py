from __future__ import annotations

from pdca.web.navigation import items_for


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from pdca.tenancy.selectors import organizations_for

    organization = getattr(request, "organization", None)
    return {
        "nav_items": items_for(user, organization),
        "current_organization": organization,
        "current_role": getattr(request, "role", None),
        "my_organizations": organizations_for(user),
    }
