"""Scenario documents: timed events, relative to the scenario's start, addressed by names.

    name: agent-7's morning            # names the GUIDs generated for it (same name, same GUIDs)
    account: a1b2c3d4e5                # the default account of every event
    events:
      - {at: 5, agent: agent-7, start: call, type: Phone, direction: Inbound}
      - {at: 40, agent: agent-7, add_channel: consult, to: call}
      - {at: 70, agent: agent-7, end_channel: consult}
      - {at: 90, agent: agent-7, end: call}
      - {at: 100, add_agent: agent-new}
      - {at: 120, add_token: night-shift}
      - {at: 180, revoke_token: night-shift}

An event is an object with `at` (seconds after the start, a number) and exactly one action: `start`
(an interaction and its first channel, named; `type` required, `direction` and `guid` optional, the
first channel named by `channel`, else after the interaction, `channelGuid` optional), `add_channel`
(a channel, named, `to` an interaction), `end_channel` (a channel by name), `end` (every channel of
an interaction still open), `add_agent`, `add_token` (`expires` optional, seconds after the start)
and `revoke_token`. Events at the same second happen in the document's order.

A document is checked whole before anything plays, every problem named with its path, as fixture
documents are: names unique, references to names started earlier, no channel ended twice.
`fixtures/scenario.schema.json` says the shape for editors.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mockserver.api.shapes import NO_EXTRA_FIELDS, ExtraField, extra_values
from mockserver.errors import FixtureError
from mockserver.fixtures.load import read_document_file
from mockserver.model import DIRECTIONS, INTERACTION_TYPES

ACTIONS = ("start", "add_channel", "end_channel", "end", "add_agent", "add_token", "revoke_token")
_OPTIONS = {
    "start": ("type", "direction", "guid", "channel", "channelGuid"),
    "add_channel": ("to", "channelGuid"),
    "end_channel": (),
    "end": (),
    "add_agent": (),
    "add_token": ("expires",),
    "revoke_token": (),
}
_NEEDS_AGENT = ("start", "add_channel", "end_channel", "end", "add_agent")
_GIVES_EXTRAS = ("start", "add_channel")
"""Actions that may give the fields the spec's items declare beyond the mock's own (mockserver.api.shapes)."""
MAX_SECONDS = 366 * 86400 * 10
"""The latest `at` a document may name: ten years after its start."""
_NAMESPACE = uuid.UUID("6f1d2c3b-8a4e-4f5a-9b6c-7d8e9f0a1b2c")


@dataclass(frozen=True)
class Event:
    """One scenario event, resolved: its action, account, agent and the GUIDs it names."""

    at: float
    """Seconds after the scenario's start."""
    action: str
    account: str
    agent: str | None
    name: str
    """The interaction, channel, agent id or token the action names (in the document's words)."""
    fields: Mapping[str, Any] = field(default_factory=dict)
    """Resolved values: guid, channelGuid, type, direction, channelGuids (for `end`), token, expires."""

    def describe(self) -> str:
        who = f"{self.account}/{self.agent}" if self.agent else self.account
        return f"{self.action} {self.name} ({who})"


@dataclass(frozen=True)
class Scenario:
    name: str
    events: tuple[Event, ...]
    """In the order they happen: by `at`, then as written."""
    document: Any = field(default=None, compare=False, repr=False)
    """The document it was built from: what a fleet shares, so that any worker can play it on."""

    @property
    def length(self) -> float:
        return self.events[-1].at if self.events else 0.0


def load_scenario_file(path: str | Path, extras: Mapping[str, ExtraField] = NO_EXTRA_FIELDS) -> Scenario:
    return build_scenario(read_document_file(path), str(path), extras)


def build_scenario(
    document: Any, source: str = "scenario document", extras: Mapping[str, ExtraField] = NO_EXTRA_FIELDS
) -> Scenario:
    """The scenario a parsed document describes, or a FixtureError listing every problem with its path.

    `extras`: the fields the served spec's items declare that the mock does not know (`ServedApi.extras`)."""
    checker = _Checker(source, extras)
    scenario = checker.scenario(document)
    if checker.errors:
        raise FixtureError(checker.errors, source)
    return replace(scenario, document=document)


@dataclass
class _Interaction:
    guid: str
    channels: list[str]
    account: str
    agent: str


class _Checker:
    def __init__(self, source: str, extras: Mapping[str, ExtraField]) -> None:
        self.source = source
        self.errors: list[str] = []
        self.interactions: dict[str, _Interaction] = {}
        self.channels: dict[str, tuple[str, str, str, str]] = {}
        """name -> (channelGuid, interaction name, account, agent)"""
        self.ended: set[str] = set()
        self.tokens: set[str] = set()
        self.extras = extras

    def fail(self, path: str, problem: str) -> None:
        self.errors.append(f"{path}: {problem}")

    def scenario(self, document: Any) -> Scenario:
        if not isinstance(document, Mapping):
            self.fail("(document)", "must be an object with 'events'")
            return Scenario("", ())
        unknown = sorted(set(document) - {"name", "account", "events"})
        for key in unknown:
            self.fail(key, "unknown field (allowed: name, account, events)")
        name = document.get("name", "scenario")
        if not isinstance(name, str) or not name:
            self.fail("name", f"must be a non-empty string, got {name!r}")
            name = "scenario"
        account = document.get("account")
        if account is not None and (not isinstance(account, str) or not account):
            self.fail("account", f"must be a non-empty string, got {account!r}")
            account = None
        raw_events = document.get("events")
        if not isinstance(raw_events, list):
            self.fail("events", "must be a list of events" if "events" in document else "is required")
            return Scenario(name, ())
        timed = []
        for index, raw in enumerate(raw_events):
            at = self._at(f"events[{index}]", raw)
            if at is not None:
                timed.append((at, index, raw))
        # Names resolve in the order events happen, whatever order they are written in.
        events = []
        for at, index, raw in sorted(timed, key=lambda item: (item[0], item[1])):
            event = self._event(f"events[{index}]", at, raw, account, name)
            if event is not None:
                events.append(event)
        return Scenario(name, tuple(events))

    def _at(self, path: str, raw: Any) -> float | None:
        if not isinstance(raw, Mapping):
            self.fail(path, f"must be an object, got {type(raw).__name__}")
            return None
        at = raw.get("at")
        if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
            self.fail(f"{path}.at", f"must be a number of seconds after the start, got {at!r}")
            return None
        if not 0 <= at <= MAX_SECONDS:
            self.fail(f"{path}.at", f"must be between 0 and {MAX_SECONDS} seconds, got {at}")
            return None
        return float(at)

    def _event(
        self, path: str, at: float, raw: Mapping[str, Any], default_account: str | None, scenario: str
    ) -> Event | None:
        actions = [action for action in ACTIONS if action in raw]
        if len(actions) != 1:
            found = ", ".join(actions) or "none"
            self.fail(path, f"needs exactly one action of {', '.join(ACTIONS)} (found: {found})")
            return None
        action = actions[0]
        allowed = {
            "at",
            "account",
            "agent",
            action,
            *_OPTIONS[action],
            *(self.extras if action in _GIVES_EXTRAS else ()),
        }
        for key in sorted(set(raw) - allowed):
            self.fail(f"{path}.{key}", f"unknown field for {action} (allowed: {', '.join(sorted(allowed))})")
        name = raw[action]
        if not isinstance(name, str) or not name:
            self.fail(f"{path}.{action}", f"must be a non-empty name, got {name!r}")
            return None
        account = raw.get("account", default_account)
        if action == "revoke_token" and account is None:
            account = ""  # a token is revoked wherever it belongs
        elif not isinstance(account, str) or not account:
            self.fail(f"{path}.account", "is required (here or as the document's 'account')")
            return None
        agent = name if action == "add_agent" else raw.get("agent")
        if action in _NEEDS_AGENT and action != "add_agent" and (not isinstance(agent, str) or not agent):
            self.fail(f"{path}.agent", f"is required for {action}")
            return None
        if action == "add_agent" and "/" in name:
            self.fail(f"{path}.add_agent", "must not contain '/' (it is one URL path segment)")
            return None
        handler = getattr(self, f"_{action}")
        fields: dict[str, Any] | None = handler(path, raw, name, account, agent, scenario, at)
        if fields is None:
            return None
        if action in _GIVES_EXTRAS:
            extra, problems = extra_values(raw, self.extras)
            for field_name, problem in problems:
                self.fail(f"{path}.{field_name}", problem)
            if problems:
                return None
            if extra:
                fields["extra"] = extra
        return Event(at, action, account, agent if action in _NEEDS_AGENT else None, name, fields)

    def _guid(self, path: str, raw: Mapping[str, Any], key: str, scenario: str, name: str) -> str | None:
        given = raw.get(key)
        if given is None:
            return str(uuid.uuid5(_NAMESPACE, f"{scenario}\x00{key}\x00{name}"))
        try:
            return str(uuid.UUID(str(given)))
        except ValueError:
            self.fail(f"{path}.{key}", f"must be a UUID, got {given!r}")
            return None

    def _start(
        self, path: str, raw: Mapping[str, Any], name: str, account: str, agent: str, scenario: str, at: float
    ) -> dict[str, Any] | None:
        type_ = raw.get("type")
        if type_ not in INTERACTION_TYPES:
            self.fail(f"{path}.type", f"must be one of {'|'.join(INTERACTION_TYPES)}, got {type_!r}")
        direction = raw.get("direction")
        if direction is not None and direction not in DIRECTIONS:
            self.fail(f"{path}.direction", f"must be one of {'|'.join(DIRECTIONS)}, got {direction!r}")
        if name in self.interactions:
            self.fail(f"{path}.start", f"interaction {name!r} is already started by an earlier event")
            return None
        channel = raw.get("channel", name)
        if not isinstance(channel, str) or not channel:
            self.fail(f"{path}.channel", f"must be a non-empty name, got {channel!r}")
            return None
        if channel in self.channels:
            self.fail(f"{path}.channel", f"channel {channel!r} is already named by an earlier event")
            return None
        guid = self._guid(path, raw, "guid", scenario, name)
        channel_guid = self._guid(path, raw, "channelGuid", scenario, channel)
        if guid is None or channel_guid is None or type_ not in INTERACTION_TYPES:
            return None
        self.interactions[name] = _Interaction(guid, [channel], account, agent)
        self.channels[channel] = (channel_guid, name, account, agent)
        return {"guid": guid, "channelGuid": channel_guid, "type": type_, "direction": direction, "channel": channel}

    def _add_channel(
        self, path: str, raw: Mapping[str, Any], name: str, account: str, agent: str, scenario: str, at: float
    ) -> dict[str, Any] | None:
        to = raw.get("to")
        interaction = self._started(f"{path}.to", to, account, agent)
        if interaction is None:
            return None
        if name in self.channels:
            self.fail(f"{path}.add_channel", f"channel {name!r} is already named by an earlier event")
            return None
        channel_guid = self._guid(path, raw, "channelGuid", scenario, name)
        if channel_guid is None:
            return None
        interaction.channels.append(name)
        self.channels[name] = (channel_guid, str(to), account, agent)
        return {"guid": interaction.guid, "channelGuid": channel_guid, "interaction": to}

    def _started(self, where: str, name: Any, account: str, agent: str) -> _Interaction | None:
        """The interaction `name` (at `where` in the document), started earlier by this very agent."""
        interaction = self.interactions.get(name) if isinstance(name, str) else None
        if interaction is None:
            self.fail(where, f"must name an interaction started by an earlier event, got {name!r}")
            return None
        if (interaction.account, interaction.agent) != (account, agent):
            path = where.rsplit(".", 1)[0]
            self.fail(
                f"{path}.agent", f"interaction {name!r} is {interaction.agent!r}'s of account {interaction.account!r}"
            )
            return None
        return interaction

    def _end_channel(
        self, path: str, raw: Mapping[str, Any], name: str, account: str, agent: str, scenario: str, at: float
    ) -> dict[str, Any] | None:
        known = self.channels.get(name)
        if known is None:
            self.fail(f"{path}.end_channel", f"must name a channel started by an earlier event, got {name!r}")
            return None
        if known[2:] != (account, agent):
            self.fail(f"{path}.agent", f"channel {name!r} is {known[3]!r}'s of account {known[2]!r}")
            return None
        if name in self.ended:
            self.fail(f"{path}.end_channel", f"channel {name!r} is already ended by an earlier event")
            return None
        self.ended.add(name)
        return {"channelGuids": [known[0]]}

    def _end(
        self, path: str, raw: Mapping[str, Any], name: str, account: str, agent: str, scenario: str, at: float
    ) -> dict[str, Any] | None:
        interaction = self._started(f"{path}.end", name, account, agent)
        if interaction is None:
            return None
        open_channels = [channel for channel in interaction.channels if channel not in self.ended]
        if not open_channels:
            self.fail(f"{path}.end", f"every channel of interaction {name!r} is already ended by an earlier event")
            return None
        self.ended.update(open_channels)
        return {"channelGuids": [self.channels[channel][0] for channel in open_channels]}

    def _add_agent(
        self, path: str, raw: Mapping[str, Any], name: str, account: str, agent: str, scenario: str, at: float
    ) -> dict[str, Any] | None:
        return {}

    def _add_token(
        self, path: str, raw: Mapping[str, Any], name: str, account: str, agent: str, scenario: str, at: float
    ) -> dict[str, Any] | None:
        if any(character.isspace() for character in name):
            self.fail(f"{path}.add_token", "a token must not contain white space")
            return None
        if name in self.tokens:
            self.fail(f"{path}.add_token", f"token {name!r} is already added by an earlier event")
            return None
        expires = raw.get("expires")
        if expires is not None and (
            isinstance(expires, bool) or not isinstance(expires, int | float) or not at < expires <= MAX_SECONDS
        ):
            self.fail(f"{path}.expires", f"must be seconds after the start, later than 'at' ({at}), got {expires!r}")
            return None
        self.tokens.add(name)
        return {"expires": None if expires is None else float(expires)}

    def _revoke_token(
        self, path: str, raw: Mapping[str, Any], name: str, account: str, agent: str, scenario: str, at: float
    ) -> dict[str, Any] | None:
        return {}
