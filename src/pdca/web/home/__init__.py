"""The home page of each role: what the person has to do next, in sections, overdue first
(`roles.sections_for`). Each section reads a fixed number of queries, however many rows."""
