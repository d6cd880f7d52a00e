"""`pdca seed-scale --replace`: remove the seeded organizations, everything they own and their
seeded people, fast (one DELETE a table, not the ORM's row-by-row collector).

PostgreSQL checks Django's foreign keys at commit (they are DEFERRABLE INITIALLY DEFERRED), so
inside one transaction the tables can be emptied in any order; should anything outside the
seeded organizations still point at a removed row, the commit fails and nothing is removed.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connection, models, transaction

from pdca.accounts.models import User
from pdca.tenancy.models import Organization


def _fks(target: type[models.Model]) -> list[tuple[type[models.Model], models.ForeignKey]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is target:
                found.append((model, field))
    return found


def purge_organizations(slugs: list[str]) -> int:
    """Delete the organizations `slugs` with all their rows and the users of their seeded
    domains (`<slug>.example`); returns the number of organizations removed."""
    q = connection.ops.quote_name
    orgs = list(Organization.objects.filter(slug__in=slugs).values_list("pk", flat=True))
    if not orgs:
        return 0
    users = list(
        User.objects.filter(
            models.Q.create([("email__iendswith", f"@{slug}.example") for slug in slugs], "OR")
        ).values_list("pk", flat=True)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model, field in _fks(Organization):
            table = q(model._meta.db_table)
            for m2m in model._meta.local_many_to_many:
                through = m2m.remote_field.through._meta  # type: ignore[union-attr]
                source = m2m.m2m_column_name()
                cursor.execute(
                    f"DELETE FROM {q(through.db_table)} WHERE {q(source)} IN "  # noqa: S608
                    f"(SELECT id FROM {table} WHERE {q(field.column)} = ANY(%s))",
                    [orgs],
                )
            cursor.execute(
                f"DELETE FROM {table} WHERE {q(field.column)} = ANY(%s)",  # noqa: S608
                [orgs],
            )
        if users:
            for model, field in _fks(User):
                table, column = q(model._meta.db_table), q(field.column)
                if field.null:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = NULL WHERE {column} = ANY(%s)",  # noqa: S608
                        [users],
                    )
                else:
                    cursor.execute(
                        f"DELETE FROM {table} WHERE {column} = ANY(%s)",  # noqa: S608
                        [users],
                    )
            for m2m in User._meta.local_many_to_many:
                through = m2m.remote_field.through._meta  # type: ignore[union-attr]
                cursor.execute(
                    f"DELETE FROM {q(through.db_table)} "  # noqa: S608
                    f"WHERE {q(m2m.m2m_column_name())} = ANY(%s)",
                    [users],
                )
            cursor.execute(
                f"DELETE FROM {q(User._meta.db_table)} WHERE id = ANY(%s)",  # noqa: S608
                [users],
            )
        cursor.execute(
            f"DELETE FROM {q(Organization._meta.db_table)} WHERE id = ANY(%s)",  # noqa: S608
            [orgs],
        )
    return len(orgs)
