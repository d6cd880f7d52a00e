"""Menu items of the certification body's intake pages (added when the app starts)."""


def add_items() -> None:
    """Add this topic's menu items (web.navigation.add_item)."""
