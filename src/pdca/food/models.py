"""Food safety hazard control (ISO 22000): the tables."""
