"""Factories for tenancy rows: direct inserts, so tests set up fast and services stay under test."""

from pdca.accounts.models import User
from pdca.tenancy.models import Membership, Site


def make_site(org, index=0, **fields):
    defaults = {"name": f"Site {index} of {org.slug}", "city": "Leeds", "country": "GB"}
    return Site.objects.create(organization=org, **{**defaults, **fields})


def make_member(org, role, index=0, **fields):
    user = User.objects.create_user(f"member{index}.{org.slug}.{role}@example.com", "pw-12345678")
    return Membership.objects.create(organization=org, user=user, role=role, **fields)
