"""Public forms built from questionnaire definitions."""
