"""A model with field and model-level validation, for Django ``ValidationError``."""

from django.core.exceptions import ValidationError
from django.db import models


class Widget(models.Model):
    """A named, counted thing; ``clean()`` refuses a reserved name."""

    name = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField(default=0)

    class Meta:
        """Model options."""

        app_label = "errors"

    def __str__(self) -> str:
        """Return the widget's name."""
        return self.name

    def clean(self) -> None:
        """Refuse the reserved name as a model-level (``__all__``) error.

        Raises:
            ValidationError: For the name ``reserved``.
        """
        if self.name == "reserved":
            raise ValidationError("This name is reserved.", code="reserved")
