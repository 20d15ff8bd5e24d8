"""Test app of the error envelope: models and views that fail in every documented way."""
