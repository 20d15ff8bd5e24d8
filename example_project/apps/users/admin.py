"""Admin registration of the custom user model."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from apps.users.models import User


@admin.register(User)
class StrictUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Django's user admin, showing the display name."""

    list_display = ("username", "email", "display_name", "is_staff")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Profile", {"fields": ("display_name",)}),
    )
