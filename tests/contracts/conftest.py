from __future__ import annotations

from tests.conftest import ACCOUNT

DEFAULT_AGENTS = [
    "agent-7",
    "1234",
    "agent-ended",
    "agent-multichannel",
    "0f8e7d6c-5b4a-4392-8180-7f6e5d4c3b2a",
    "agent-idle",
]


def check_args(base_url: str, *extra: str, agents: list[str] = DEFAULT_AGENTS) -> list[str]:
    args = ["check", "--base-url", base_url, "--token", "valid-token", "--account", ACCOUNT]
    for agent in agents:
        args += ["--agent", agent]
    return [*args, "--foreign-token", "other-account-token", "--expired-token", "expired-token", *extra]
