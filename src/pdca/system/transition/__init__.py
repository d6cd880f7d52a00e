"""Carrying a management system from an edition of a standard to the next: the map every
record moves along, the preview of what each register would do, and the one-step transition.

Each register that refers to requirements contributes a carrier (`system.hooks.
transition_carriers`): it lists what it would move, and moves exactly that when asked. The
preview and the transition run the same listing, so what the preview shows is what happens.
"""
