"""Serializers of the notes test app: explicit fields, as the strict rules require."""

from rest_framework import serializers

from tests.apps.notes.models import Note


class NoteSerializer(serializers.ModelSerializer[Note]):
    """A note; the owner is the requesting user and cannot be written."""

    class Meta:
        """Serializer options."""

        model = Note
        fields = ("id", "title", "created_at", "rank", "owner")
        read_only_fields = ("created_at", "owner")


# drf-spectacular names a paginated response after its serializer only
# ("Paginated<Name>List"), so one serializer listed by both pagination styles would
# share one, wrong, component; a subclass gives the cursor pages their own.
class CursorNoteSerializer(NoteSerializer):
    """A note in a cursor-paginated list."""
