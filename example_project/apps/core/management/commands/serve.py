"""``manage.py serve``: apply migrations, then serve the project for local use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

if TYPE_CHECKING:
    from django.core.management.base import CommandParser


class Command(BaseCommand):
    """Migrate the database and start the development server in one step."""

    help = (
        "Apply migrations, then run the development server on [ADDRESS:]PORT "
        "(default 127.0.0.1:8000), without its auto-reloader."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """Accept the address to serve on.

        Args:
            parser: The command's argument parser.
        """
        parser.add_argument(
            "addrport",
            nargs="?",
            default="127.0.0.1:8000",
            metavar="[ADDRESS:]PORT",
            help="where to serve, as for runserver: 8080, 0.0.0.0:8000 or [::1]:8000 "
            "(default 127.0.0.1:8000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:  # noqa: ARG002
        """Run ``migrate`` and then ``runserver``.

        Args:
            *args: Unused positional arguments.
            **options: Parsed options; ``addrport`` is where to serve.
        """
        call_command("migrate", interactive=False, verbosity=1)
        call_command("runserver", options["addrport"], use_reloader=False)
