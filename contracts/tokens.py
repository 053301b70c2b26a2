"""Tokens the judge fetches itself: OAuth 2.0 client credentials at the platform's token endpoint, so a CI
job never puts a token on a command line. The client secret is read from an environment variable or a
file (never an argument), sent to the token endpoint only, and shown nowhere; the tokens fetched are
the run's `--token` and `--foreign-token`, which every output writes as `$TOKEN` and `$FOREIGN_TOKEN`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from contracts.failures import CannotJudge

DEFAULT_SECRET_VARIABLE = "LATEST_INTERACTIONS_CLIENT_SECRET"


@dataclass(frozen=True)
class ClientCredentials:
    token_url: str
    client_id: str
    secret: str = field(repr=False)
    scope: str | None = None

    @classmethod
    def read(
        cls, token_url: str, client_id: str, *, secret_env: str | None, secret_file: Path | None, scope: str | None
    ) -> ClientCredentials:
        """The secret from the file when given, else from the variable (`$LATEST_INTERACTIONS_CLIENT_SECRET`
        unless named); a ValueError naming where it was looked for, never what it holds."""
        if secret_file is not None:
            try:
                secret = secret_file.read_text(encoding="utf-8").strip()
            except (OSError, UnicodeDecodeError) as error:
                raise ValueError(f"cannot read the client secret from {secret_file}: {type(error).__name__}") from None
            where = str(secret_file)
        else:
            variable = secret_env or DEFAULT_SECRET_VARIABLE
            secret, where = os.environ.get(variable, ""), f"${variable}"
        if not secret:
            raise ValueError(
                f"no client secret for {client_id!r} in {where} (give --client-secret-env or --client-secret-file)"
            )
        return cls(token_url, client_id, secret, scope)


@dataclass(frozen=True)
class Grant:
    """What the token endpoint answered a grant: the token, and the answer as the token endpoint's rules judge it."""

    access_token: str = field(repr=False)
    status: int
    headers: dict[str, str]
    body: Any


def fetch_token(credentials: ClientCredentials, client: httpx.Client) -> Grant:
    """A grant of `credentials`, or CannotJudge saying why (the endpoint's error, never the secret)."""
    form = {"grant_type": "client_credentials", "client_id": credentials.client_id, "client_secret": credentials.secret}
    if credentials.scope:
        form["scope"] = credentials.scope
    try:
        answer = client.post(credentials.token_url, data=form, headers={"Accept": "application/json"})
    except httpx.HTTPError as failure:
        raise CannotJudge(
            f"cannot reach the token endpoint {credentials.token_url}: {type(failure).__name__}"
        ) from None
    try:
        body = answer.json()
    except ValueError:
        body = None
    token = body.get("access_token") if isinstance(body, dict) else None
    if answer.status_code != 200 or not isinstance(token, str) or not token:
        error = body.get("error") if isinstance(body, dict) else None
        raise CannotJudge(
            f"the token endpoint refused client {credentials.client_id!r}: {answer.status_code}"
            + (f" {error}" if isinstance(error, str) else "")
        )
    return Grant(token, answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, body)
