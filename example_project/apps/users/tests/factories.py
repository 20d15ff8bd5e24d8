"""factory-boy factories of the users app."""

from __future__ import annotations

import factory

from apps.users.models import User

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A saved, active user with a known password."""

    class Meta:
        """Factory options."""

        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)
