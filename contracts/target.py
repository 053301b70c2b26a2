"""What a run points at: a server, its tokens, an account and agents, and what it claims to serve."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from contracts.failures import credential_forms
from contracts.spec_conformance import SpecResponses
from mockserver.resources import SPEC_PATH
from mockserver.spec import SpecDocument

if TYPE_CHECKING:
    from contracts.oracle import KnownData
    from contracts.tokens import Grant

V1 = "application/json;version=1"
V2 = "application/json;version=2"


def project_spec() -> SpecDocument:
    """The project's openapi.yaml: what the judge judges by unless told another document (`--spec`)."""
    return SpecDocument.load(SPEC_PATH)


@dataclass(frozen=True)
class Target:
    base_url: str
    """The server URL ending in the path version, e.g. http://127.0.0.1:8080/v0."""
    token: str
    account: str
    agents: tuple[str, ...]
    foreign_token: str | None = None
    expired_token: str | None = None
    versions: frozenset[int] = field(default=frozenset({1, 2}))
    known_data: KnownData | None = None
    """The data the server holds, when known (`--expect-state`): answers are then compared exactly."""
    hostile: bool = False
    """Send more and larger hostile inputs (`--hostile`) than the default run's bounded set."""
    spec: SpecDocument = field(default_factory=project_spec, repr=False, compare=False)
    """The document the server is judged by (every rule reads this one, never another)."""
    token_url: str | None = None
    """The token endpoint the judge fetched `token` from (`--token-url`), judged by its own rules."""
    grant: Grant | None = field(default=None, repr=False, compare=False)
    """What the token endpoint answered the grant of `token`."""

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"--base-url must be an http(s) URL such as http://127.0.0.1:8080/v0, got {self.base_url!r}"
            )
        if not self.agents:
            raise ValueError("give at least one --agent")
        if not self.token or not self.account:
            raise ValueError("--token and --account must not be empty")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))

    @property
    def secrets(self) -> dict[str, str]:
        """The credentials given and the forms the judge derives from them, each with the shell
        expression that stands for it in every output (`$TOKEN`, `${TOKEN^^}`...)."""
        named = {self.token: "TOKEN", self.foreign_token: "FOREIGN_TOKEN", self.expired_token: "EXPIRED_TOKEN"}
        forms: dict[str, str] = {}
        for value, name in named.items():
            if value:
                for form, expression in credential_forms(value, name).items():
                    forms.setdefault(form, expression)
        return forms

    @cached_property
    def responses(self) -> SpecResponses:
        """The spec's responses of the operation, their validators built once for the run."""
        return SpecResponses(self.spec)

    @property
    def serves_v2(self) -> bool:
        return 2 in self.versions

    @property
    def serves_v1(self) -> bool:
        return 1 in self.versions

    @property
    def first_version(self) -> int:
        """The version the rules that are about something else ask for: 1 when served, else 2."""
        return min(self.versions)

    @property
    def ok_accept(self) -> str:
        return f"application/json;version={self.first_version}"

    def media_types(self) -> list[str]:
        return [f"application/json;version={v}" for v in sorted(self.versions)]

    def path(self, agent: str, account: str | None = None) -> str:
        account_key = self.account if account is None else account
        return f"/{quote(account_key, safe='')}/agents/{quote(agent, safe='')}/latestInteractions"

    def url(self, agent: str, account: str | None = None) -> str:
        return self.base_url + self.path(agent, account)
