"""The safety app's workflow steps and settings: the hazard scoring method
(`services.method`) and the incident workflow (`services.incidents`)."""
