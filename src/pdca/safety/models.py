"""OH&S hazards, worker participation and incidents (ISO 45001): the tables."""
