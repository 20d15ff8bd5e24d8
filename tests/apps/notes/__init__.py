"""A small app for pagination and permission tests: notes owned by users."""
