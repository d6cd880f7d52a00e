"""Menu item of the auditor pool (added when the app starts)."""

from pdca.core.navigation import NavItem, add_item


def add_items() -> None:
    add_item(
        NavItem(
            "Auditor pool",
            "certification:auditor-list",
            "Certification body",
            "certification.cycleaudit",
        )
    )
