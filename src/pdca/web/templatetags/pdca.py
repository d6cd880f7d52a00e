from django import template

from pdca.core.activity_display import describe, type_label
from pdca.core.roles import Role

register = template.Library()


@register.filter
def shown(value) -> str:
    """A recorded value as people read it: yes/no for booleans, ellipsis for long text."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


@register.filter
def role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value


@register.filter
def pairs(mapping) -> list:
    """The (key, value) pairs of a dict. Templates must not write `mapping.items`: a recorded
    change of a field called "items" would be read instead of the method."""
    return list(mapping.items()) if isinstance(mapping, dict) else []


@register.simple_tag
def described(entries) -> list:
    """Activity entries with their changes as people read them (labels, names, titles): one
    query per kind of object the page names (`core.activity_display`)."""
    return describe(entries)


@register.filter
def object_type_label(value: str) -> str:
    """An activity entry's object type as its model's name ("Finding", not "audits.finding")."""
    return type_label(value)
