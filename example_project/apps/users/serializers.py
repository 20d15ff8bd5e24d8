"""Serializers of the users app: input validation and output shape only."""

from rest_framework import serializers

from apps.users.models import User


class UserSerializer(serializers.ModelSerializer[User]):
    """The public representation of a user."""

    class Meta:
        """Serializer options."""

        model = User
        fields = ("id", "username", "email", "display_name", "date_joined")
        read_only_fields = ("id", "username", "email", "date_joined")


class RegistrationSerializer(serializers.Serializer[User]):
    """Input of the registration endpoint.

    ``services.register_user`` reports taken names and weak passwords with the
    codes below; declaring them here documents them in the API schema.
    """

    default_error_messages = {  # noqa: RUF012 - DRF merges the class attribute
        "unique": "A user with that value already exists.",
        "password_too_short": "This password is too short.",
        "password_too_common": "This password is too common.",
        "password_entirely_numeric": "This password is entirely numeric.",
        "password_too_similar": "The password is too similar to the username.",
    }

    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    # Optional and may be blank: a client that sends the documented default ("")
    # must not be refused.
    display_name = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default=""
    )


class ProfileSerializer(serializers.Serializer[User]):
    """Input of the profile update endpoint."""

    display_name = serializers.CharField(max_length=80, allow_blank=True)


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    """Input of the token endpoint.

    ``services.issue_token`` refuses bad credentials with the ``authorization`` code;
    declaring it here documents it in the API schema.
    """

    default_error_messages = {  # noqa: RUF012 - DRF merges the class attribute
        "authorization": "Unable to sign in with the given credentials.",
    }

    username = serializers.CharField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer[dict[str, str]]):
    """Output of the token endpoint."""

    token = serializers.CharField()
