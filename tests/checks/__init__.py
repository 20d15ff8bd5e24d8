"""Tests of the strict system checks."""
