"""flask commands: seed, create-user (and, from coach/reminders/cli.py, run-scheduler and vapid)."""
from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask

from .auth.service import Registration, register_user
from .errors import ServiceError
from .reminders.cli import register as register_reminder_commands
from .seed import seed


def register_cli(app: Flask) -> None:
    register_reminder_commands(app)

    @app.cli.command("seed")
    def seed_command():
        """Load the shipped content (routines, tips, sources); safe to run again."""
        summary = seed()
        click.echo("Seeded: " + ", ".join(f"{count} {name}" for name, count in summary.items()))

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", "display_name", required=True)
    @click.option("--role", type=click.Choice(["athlete", "trainer"]), default="athlete", show_default=True)
    @click.option("--timezone", "tz", default="UTC", show_default=True)
    @click.option("--country", default="GB", show_default=True)
    @click.password_option()
    def create_user_command(email, display_name, role, tz, country, password):
        """Create an account from the command line."""
        try:
            user = register_user(
                Registration(email=email, password=password, display_name=display_name, role=role, timezone=tz, country=country),
                datetime.now(UTC),
            )
        except ServiceError as error:
            details = "; ".join(f"{k}: {v}" for k, v in error.fields.items()) or error.message
            raise click.ClickException(details) from None
        click.echo(f"Created {user.role} {user.email} (id {user.id})")
