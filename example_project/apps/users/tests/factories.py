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
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(self, create: bool, *_: object, **__: object) -> None:  # noqa: FBT001
        """Persist the hashed password set above."""
        if create:
            self.save(update_fields=["password"])
