"""Menu items of the certification body's programme pages (added when the app starts)."""

from pdca.core.navigation import NavItem, add_item


def add_items() -> None:
    add_item(
        NavItem(
            "Programme calendar",
            "certification:calendar",
            "Certification body",
            "certification.cycleaudit",
        )
    )
    add_item(
        NavItem(
            "Certification cycles",
            "certification:cycle-list",
            "Certification body",
            "certification.certificationcycle",
        )
    )
