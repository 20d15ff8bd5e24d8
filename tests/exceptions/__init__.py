"""Tests of django_strict_core.exceptions."""
