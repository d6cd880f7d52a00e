"""Environmental aspects and compliance obligations (ISO 14001): the tables."""
