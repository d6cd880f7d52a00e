"""Menu items of the certification body's certificates pages (added when the app starts)."""

from pdca.core.navigation import NavItem, add_item


def add_items() -> None:
    """The certificate register, for every member of the body."""
    add_item(
        NavItem(
            "Certificates",
            "certification:certificate-list",
            "Certification body",
            "certification.certificate",
        )
    )
