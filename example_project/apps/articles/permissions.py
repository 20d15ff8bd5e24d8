"""Permissions of the articles app, composed from the library's shared classes."""

from django_strict_core.permissions import IsOwnerOrStaff, ReadOnly

# Everyone reads; signed-in users publish; only the author (or staff) changes or deletes.
ArticleAccess = ReadOnly | IsOwnerOrStaff.with_owner_field("author")
