"""The mock's settings as one typed value; the CLI and the pytest plugin only build it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from mockserver.resources import DEFAULT_FIXTURES, SPEC_PATH

ALL_VERSIONS = frozenset({1, 2})
"""The versions served by default: today's production (1) and the planned one (2)."""
DEFAULT_JOURNAL_LIMIT = 1000
"""Requests the journal keeps; the oldest fall away past it."""
DEFAULT_STORE_PREFIX = "latest-interactions:"
HTTP_SERVERS = ("granian", "uvicorn")
MAX_SPEED = 10_000.0


@dataclass(frozen=True)
class Settings:
    spec: Path = SPEC_PATH
    """The OpenAPI document served (the project's openapi.yaml unless `--spec` says otherwise)."""
    fixtures: Path = DEFAULT_FIXTURES
    host: str = "127.0.0.1"
    port: int = 8080
    versions: frozenset[int] = field(default=ALL_VERSIONS)
    versions_from_spec: bool = False
    """`versions` are all those the spec declares (no --versions given): a spec reloaded by --watch
    brings its own."""
    admin_token: str | None = None
    journal_limit: int = DEFAULT_JOURNAL_LIMIT
    store: str | None = None
    """redis://HOST:PORT/DB: the state, journal and faults shared by every worker on it (a fleet)."""
    store_prefix: str = DEFAULT_STORE_PREFIX
    """Prefix of the store's keys: several fleets can share one Redis database under different ones."""
    replace_store: bool = False
    """Replace a state the store holds that was started from other fixtures (else refused)."""
    workers: int = 1
    http_server: str = "granian"
    """What serves `mockserver run`: 'granian' (faster here) or 'uvicorn'. The pytest plugin and
    `start_in_thread` always use uvicorn, which can run in a thread of another program."""
    scenario: Path | None = None
    """A scenario document played from the start (mockserver/scenarios/document.py)."""
    simulate: bool = False
    """Play a seeded contact centre from the start (mockserver/scenarios/simulation.py)."""
    simulated_agents: int = 5
    """Simulated agents per account."""
    seed: int = 1
    history: float = 3600.0
    """Seconds a simulation keeps an ended channel."""
    speed: float = 1.0
    """How much faster than real time the mock's clock runs (1: real time)."""
    watch: bool = False
    """Reload the spec and the fixtures when their files change (mockserver/watching.py)."""
    cors: tuple[str, ...] | None = None
    """Origins whose browser pages may call the mock ('*': any); None: no CORS, OPTIONS is a 405 as the
    contract says."""

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        if self.workers > 1 and self.store is None:
            raise ValueError(
                f"--workers {self.workers} needs --store redis://HOST:PORT/DB: without a shared store each worker "
                "would keep its own state, journal and faults, and a client would see them disagree"
            )
        if self.store is not None and not self.store.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"--store must be a redis://HOST:PORT/DB URL, got {self.store!r}")
        if self.http_server not in HTTP_SERVERS:
            raise ValueError(f"http_server must be one of {', '.join(HTTP_SERVERS)}, got {self.http_server!r}")
        if not 0 < self.speed <= MAX_SPEED:
            raise ValueError(f"--speed must be above 0 and at most {MAX_SPEED:g}, got {self.speed:g}")
        if self.speed != 1 and self.store is not None:
            raise ValueError(
                "--speed runs one process's clock faster; on a fleet (--store) the workers' clocks would part, "
                "so it is not available there yet."
            )
        if self.simulate and self.scenario is not None:
            raise ValueError("--simulate and --scenario both play on the mock's clock: choose one")
        if self.watch and self.store is not None:
            raise ValueError(
                "--watch reloads one process's spec and fixtures; on a fleet (--store) the workers would part, "
                "so it is not available there."
            )
        if self.journal_limit < 1:
            raise ValueError(f"journal_limit must be at least 1, got {self.journal_limit}")
        if not self.versions or any(not isinstance(v, int) or v < 1 for v in self.versions):
            raise ValueError(f"versions must be a non-empty set of versions from 1, got {sorted(self.versions)}")

    def replace(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


def parse_versions(text: str) -> frozenset[int]:
    """A comma-separated list of versions: '1,2', '1' (today's production), '2' (the planned
    version-2-only service), '1,2,3'... Which of them the spec declares is checked where the spec is read."""
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or not all(part.isascii() and part.isdecimal() and int(part) >= 1 for part in parts):
        raise ValueError(
            f"--versions must be a comma-separated list of versions such as '1,2', '2' or '1,2,3', got {text!r}"
        )
    return frozenset(int(part) for part in parts)
