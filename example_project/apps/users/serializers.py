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
    """Input of the registration endpoint."""

    username = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    display_name = serializers.CharField(max_length=80, required=False, default="")


class ProfileSerializer(serializers.Serializer[User]):
    """Input of the profile update endpoint."""

    display_name = serializers.CharField(max_length=80, allow_blank=True)


class TokenRequestSerializer(serializers.Serializer[dict[str, str]]):
    """Input of the token endpoint."""

    username = serializers.CharField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class TokenSerializer(serializers.Serializer[dict[str, str]]):
    """Output of the token endpoint."""

    token = serializers.CharField()
