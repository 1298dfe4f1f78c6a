"""``passport issuers``: the network operator's commands for providers (the operator's own access to the
service's database): ``create`` onboards one and prints it as JSON with its first API key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated

import typer
from pydantic import ValidationError

from core.db import make_engine, session_factory, transaction
from issuers import service
from issuers.api_models import IssuerCreate
from server.app import issuer_config, passport_config
from server.migrate import upgrade
from server.settings import Settings

app = typer.Typer(no_args_is_help=True, help="The network operator's commands for providers.")


@app.command("create")
def issuers_create(
    name: Annotated[str, typer.Option(help="The provider's name.")],
    url: Annotated[str, typer.Option(help="The provider's website.")],
    ukprn: Annotated[str | None, typer.Option(help="UK Provider Reference Number.")] = None,
    logo_url: Annotated[str | None, typer.Option(help="Logo URL (PNG or SVG).")] = None,
    contact_email: Annotated[str | None, typer.Option(help="Contact email.")] = None,
    description: Annotated[str | None, typer.Option(help="A short description.")] = None,
    suspension: Annotated[
        bool, typer.Option(help="Its credentials can be suspended and reinstated, not only revoked.")
    ] = False,
) -> None:
    """Onboard a provider; prints JSON with its id, did and first API key (shown once)."""
    try:
        data = IssuerCreate.model_validate(
            {
                "name": name,
                "url": url,
                "ukprn": ukprn,
                "logo_url": logo_url,
                "contact_email": contact_email,
                "description": description,
                "suspension_enabled": suspension,
            }
        )
    except ValidationError as error:
        for problem in error.errors():
            typer.echo(
                f"passport issuers create: {'.'.join(map(str, problem['loc']))}: {problem['msg']}", err=True
            )
        raise typer.Exit(2) from None
    settings = Settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    config = issuer_config(settings, passport_config(settings))
    try:
        with transaction(session_factory(engine)) as session:
            issuer, secret = service.create_issuer(session, config, data, datetime.now(UTC))
            summary = service.summary(config, issuer)
    finally:
        engine.dispose()
    typer.echo(json.dumps({**summary, "created_at": summary["created_at"].isoformat(), "api_key": secret}))
