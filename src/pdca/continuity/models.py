"""Business impact analysis, continuity plans and exercises (ISO 22301): the tables."""
