"""The demo loads every shipped catalog (idempotent)."""

from pdca.standards.services import load_catalogs


def load(context: dict) -> None:
    context["catalogs"] = load_catalogs()
