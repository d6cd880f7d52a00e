"""Starter templates: documents written by us, in plain words, that an organization fills with
its own data (name, scope, standards, sites, people) and then edits as a first draft.

The texts are ours: they say what a document of that kind usually covers, never a standard's
wording. `catalogue.STARTERS` lists them; each text lives in `templates/<key>.md`.
"""

from pdca.documents.starter.catalogue import PLACEHOLDERS, STARTERS, Starter, get_starter

__all__ = ["PLACEHOLDERS", "STARTERS", "Starter", "get_starter"]
