"""Fixture documents: parse, validate whole, and build a State; or refuse with every problem's path.

The document's shape (fixtures/fixture.schema.json describes the same for editors):

    now: optional RFC 3339 time; when present the mock's clock is frozen there
    tokens:   [{token, account, expires (optional RFC 3339)}]
    accounts: [{key, agents: [{id, interactions: [
                {guid, type: Phone|Chat|Email, direction (optional): Inbound|Outbound|Internal,
                 channels: [{channelGuid, start, end (RFC 3339 or null while connected)}]}]}]}]

Nothing is built until the whole document has been checked, so a bad document changes nothing.
"""

from __future__ import annotations

import gc
import json
import re
import reprlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from mockserver.bounded_parsing import DocumentRejected, NotJson, parse_json, parse_yaml
from mockserver.clock import Clock, FrozenClock, SystemClock, in_utc
from mockserver.model import DIRECTIONS, INTERACTION_TYPES, Account, Channel, Interaction, State, Token
from mockserver.prepared import prepare_agent
from mockserver.representation import precise_rfc3339, rfc3339

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_MAX_LISTED = 50


class FixtureError(ValueError):
    """A fixture document that cannot be loaded; `errors` lists each problem as 'path: what'."""

    def __init__(self, errors: list[str], source: str = "fixture document") -> None:
        self.errors = errors
        self.source = source
        listed = errors[:_MAX_LISTED]
        more = f"\n  ... and {len(errors) - _MAX_LISTED} more" if len(errors) > _MAX_LISTED else ""
        plural = "s" if len(errors) != 1 else ""
        lines = "\n".join(f"  {error}" for error in listed)
        super().__init__(f"invalid {source} ({len(errors)} problem{plural}):\n{lines}{more}")

    def one_line(self, most: int = 5) -> str:
        """The message on one line, naming the first few problems with their paths."""
        shown = "; ".join(self.errors[:most])
        more = f"; and {len(self.errors) - most} more" if len(self.errors) > most else ""
        return f"invalid {self.source}: {shown}{more}"


def load_fixture_file(path: str | Path, *, system_clock: Clock | None = None) -> State:
    """Read a YAML or JSON fixture file and build its state."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise FixtureError([f"(file): cannot read {source}: {error.strerror or error}"], source) from None
    except UnicodeDecodeError:
        raise FixtureError(["(file): not UTF-8 text"], source) from None
    return build_state(parse_text(text, source), system_clock=system_clock, source=source)


def parse_text(text: str | bytes, source: str = "fixture document") -> Any:
    """JSON first (fast for large documents), then YAML, of which JSON is a subset; both bounded."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise FixtureError(["(document): not UTF-8 text"], source) from None
    try:
        return parse_json(text)
    except NotJson:
        pass
    except DocumentRejected as error:
        raise FixtureError([f"(document): {error}"], source) from None
    try:
        return parse_yaml(text)
    except DocumentRejected as error:
        raise FixtureError([f"(document): {error}"], source) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise FixtureError([f"(document): not valid YAML or JSON{where}: {problem}"], source) from None


def build_state(document: Any, *, system_clock: Clock | None = None, source: str = "fixture document") -> State:
    """Check the whole document, build the state and prepare every agent's answers.

    Preparing here, once per state change, keeps that work off the request path.
    """
    with _collector_paused():
        checked = _Checker(system_clock or SystemClock())
        result = checked.document(document)
        if checked.errors or result is None:
            raise FixtureError(checked.errors, source)
        return result


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building a large state allocates millions of acyclic objects; the cyclic collector would
    rescan them again and again (a third of the load time at 100,000 channels)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class _Checker:
    system_clock: Clock
    errors: list[str] = field(default_factory=list)

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path or '(document)'}: {message}")

    # -- shapes ---------------------------------------------------------------------------------

    def mapping(self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> bool:
        if not isinstance(value, Mapping):
            self.fail(path, f"must be an object, got {_kind(value)}")
            return False
        ok = True
        for key in required:
            if key not in value:
                self.fail(_join(path, key), "is required")
                ok = False
        for key in value:
            if key not in required and key not in optional:
                allowed = ", ".join(required + optional)
                self.fail(_join(path, str(key)), f"unknown field (allowed: {allowed})")
                ok = False
        return ok

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        if not isinstance(value, list):
            self.fail(path, f"must be a list, got {_kind(value)}")
            return []
        return [(f"{path}[{index}]", item) for index, item in enumerate(value)]

    def text(self, value: Any, path: str, *, what: str = "a non-empty string") -> str | None:
        if not isinstance(value, str) or not value:
            self.fail(path, f"must be {what}, got {_show(value)}")
            return None
        return value

    def segment(self, value: Any, path: str) -> str | None:
        """A key or id that appears as one URL path segment."""
        text = self.text(value, path)
        if text is not None and "/" in text:
            self.fail(path, f"must not contain '/', got {_show(value)}")
            return None
        return text

    def choice(self, value: Any, path: str, allowed: tuple[str, ...]) -> str | None:
        if value not in allowed:
            self.fail(path, f"must be one of {'|'.join(allowed)}, got {_show(value)}")
            return None
        return str(value)

    def uuid(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not _UUID.match(value):
            self.fail(path, f"must be a UUID like 015b212c-1487-46ba-bbb7-d78d6b1412a5, got {_show(value)}")
            return None
        return value.lower()

    def moment(self, value: Any, path: str) -> datetime | None:
        if isinstance(value, datetime):
            parsed: datetime | None = value if value.tzinfo is not None else None
        elif isinstance(value, date) or not isinstance(value, str) or not _RFC3339.match(value):
            parsed = None
        else:
            try:
                parsed = datetime.fromisoformat(value.upper().replace(" ", "T"))
            except ValueError:
                parsed = None
        if parsed is None:
            self.fail(
                path,
                f"must be an RFC 3339 date-time with a time zone, e.g. 2017-03-30T22:40:15Z, got {_show(value)}",
            )
            return None
        return in_utc(parsed)

    def unique(self, seen: dict[str, str], key: str | None, path: str, what: str) -> None:
        if key is None:
            return
        if key in seen:
            self.fail(path, f"duplicate {what} {key!r} (first at {seen[key]})")
        else:
            seen[key] = path

    # -- the document ---------------------------------------------------------------------------

    def document(self, document: Any) -> State | None:
        if not self.mapping(document, "", ("tokens", "accounts"), ("now",)):
            if not isinstance(document, Mapping):
                return None
        now_value = document.get("now")
        frozen = self.moment(now_value, "now") if now_value is not None else None
        clock: Clock = FrozenClock(frozen) if frozen is not None else self.system_clock
        now = clock.now()

        # Checked whole first, prepared after: a refused document costs no rendering.
        checked: dict[str, dict[str, tuple[Interaction, ...]]] = {}
        seen_keys: dict[str, str] = {}
        for path, raw in self.items(document.get("accounts", []), "accounts"):
            account = self.account(raw, path, now)
            self.unique(seen_keys, account[0] if account else None, f"{path}.key", "account key")
            if account is not None:
                checked.setdefault(*account)

        tokens: dict[str, Token] = {}
        seen_tokens: dict[str, str] = {}
        for path, raw in self.items(document.get("tokens", []), "tokens"):
            token = self.token(raw, path)
            self.unique(seen_tokens, token.token if token else None, f"{path}.token", "token")
            if token is not None:
                tokens.setdefault(token.token, token)

        if self.errors:
            return None
        accounts = {
            key: Account(key, {agent_id: prepare_agent(agent_id, found) for agent_id, found in agents.items()})
            for key, agents in checked.items()
        }
        return State(clock=clock, tokens=tokens, accounts=accounts, document=document)

    def token(self, raw: Any, path: str) -> Token | None:
        # A token may name an account the document has no agents for: another tenant's token.
        if not self.mapping(raw, path, ("token", "account"), ("expires",)):
            return None
        value = self.text(raw["token"], f"{path}.token")
        if value is not None and (value != value.strip() or any(c.isspace() for c in value)):
            self.fail(
                f"{path}.token",
                f"must not contain white space (it is sent as 'Bearer <token>'), got {_show(value)}",
            )
            value = None
        account = self.text(raw["account"], f"{path}.account")
        expires_value = raw.get("expires")
        expires = self.moment(expires_value, f"{path}.expires") if expires_value is not None else None
        if value is None or account is None or (expires_value is not None and expires is None):
            return None
        return Token(value, account, expires)

    def account(self, raw: Any, path: str, now: datetime) -> tuple[str, dict[str, tuple[Interaction, ...]]] | None:
        if not self.mapping(raw, path, ("key", "agents")):
            return None
        key = self.segment(raw["key"], f"{path}.key")
        agents: dict[str, tuple[Interaction, ...]] = {}
        seen: dict[str, str] = {}
        for agent_path, agent_raw in self.items(raw["agents"], f"{path}.agents"):
            agent = self.agent(agent_raw, agent_path, now)
            self.unique(seen, agent[0] if agent else None, f"{agent_path}.id", "agent id")
            if agent is not None:
                agents.setdefault(*agent)
        return None if key is None else (key, agents)

    def agent(self, raw: Any, path: str, now: datetime) -> tuple[str, tuple[Interaction, ...]] | None:
        if not self.mapping(raw, path, ("id", "interactions")):
            return None
        agent_id = self.segment(raw["id"], f"{path}.id")
        interactions: list[Interaction] = []
        seen_guids: dict[str, str] = {}
        seen_channels: dict[str, str] = {}
        for item_path, item_raw in self.items(raw["interactions"], f"{path}.interactions"):
            interaction = self.interaction(item_raw, item_path, now, seen_channels)
            self.unique(seen_guids, interaction.guid if interaction else None, f"{item_path}.guid", "interaction guid")
            if interaction is not None:
                interactions.append(interaction)
        return None if agent_id is None else (agent_id, tuple(interactions))

    def interaction(self, raw: Any, path: str, now: datetime, seen_channels: dict[str, str]) -> Interaction | None:
        if not self.mapping(raw, path, ("guid", "type", "channels"), ("direction",)):
            return None
        guid = self.uuid(raw["guid"], f"{path}.guid")
        type_ = self.choice(raw["type"], f"{path}.type", INTERACTION_TYPES)
        direction = raw.get("direction")
        if direction is not None:
            direction = self.choice(direction, f"{path}.direction", DIRECTIONS)
        channels: list[Channel] = []
        entries = self.items(raw["channels"], f"{path}.channels")
        if isinstance(raw["channels"], list) and not entries:
            # CONTRACT.md's data model: an agent joins an interaction on one or more channels.
            self.fail(f"{path}.channels", "an interaction has one or more channels, got none")
        for channel_path, channel_raw in entries:
            channel = self.channel(channel_raw, channel_path, now)
            self.unique(
                seen_channels,
                channel.channel_guid if channel else None,
                f"{channel_path}.channelGuid",
                "channelGuid for this agent",
            )
            if channel is not None:
                channels.append(channel)
        if guid is None or type_ is None or len(channels) != len(entries):
            return None
        return Interaction(guid, type_, direction, tuple(channels))

    def channel(self, raw: Any, path: str, now: datetime) -> Channel | None:
        if not self.mapping(raw, path, ("channelGuid", "start"), ("end",)):
            return None
        guid = self.uuid(raw["channelGuid"], f"{path}.channelGuid")
        start = self.moment(raw["start"], f"{path}.start")
        end_value = raw.get("end")
        end = self.moment(end_value, f"{path}.end") if end_value is not None else None
        for name, moment in (("start", start), ("end", end)):
            if moment is not None and moment > now:
                self.fail(f"{path}.{name}", f"{rfc3339(moment)} is after the mock's clock ({rfc3339(now)})")
                return None
        if start is not None and end is not None and end < start:
            self.fail(f"{path}.end", f"{rfc3339(end)} is before the channel's start {rfc3339(start)}")
            return None
        if guid is None or start is None or (end_value is not None and end is None):
            return None
        return Channel(guid, start, end)


def to_document(state: State) -> dict[str, Any]:
    """The state as a fresh fixture document in canonical form: UTC `Z` times, lowercase GUIDs,
    every channel's `end` written out. What GET /__admin/state shows after a control change, and
    what a fleet writes to its store."""
    now = state.clock.frozen_at
    document: dict[str, Any] = {} if now is None else {"now": precise_rfc3339(now)}
    document["tokens"] = [token_document(token) for token in state.tokens.values()]
    document["accounts"] = [
        {
            "key": account.key,
            "agents": [
                {"id": agent.id, "interactions": [interaction_document(i) for i in agent.interactions]}
                for agent in account.agents.values()
            ],
        }
        for account in state.accounts.values()
    ]
    return document


def token_document(token: Token) -> dict[str, Any]:
    expires = {"expires": precise_rfc3339(token.expires)} if token.expires else {}
    return {"token": token.token, "account": token.account, **expires}


def interaction_document(interaction: Interaction) -> dict[str, Any]:
    return {
        "guid": interaction.guid,
        "type": interaction.type,
        **({"direction": interaction.direction} if interaction.direction else {}),
        "channels": [channel_document(channel) for channel in interaction.channels],
    }


def channel_document(channel: Channel) -> dict[str, Any]:
    return {
        "channelGuid": channel.channel_guid,
        "start": precise_rfc3339(channel.start),
        "end": None if channel.end is None else precise_rfc3339(channel.end),
    }


def dump_document(document: Any) -> str:
    """A fixture document as compact JSON; YAML timestamps parsed as datetimes are written back as RFC 3339."""
    return json.dumps(document, default=json_default, separators=(",", ":"))


def json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


class _Shown(reprlib.Repr):
    """repr within bounds: never the digits of a huge integer (Python refuses past 4,300), never deep."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother = 3, 60, 60

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 200:
            return f"an integer of about {int(x.bit_length() * 0.30103) + 1} digits"
        return super().repr_int(x, level)


_SHOWN = _Shown()


def _show(value: Any) -> str:
    text = _SHOWN.repr(value) if not isinstance(value, datetime | date) else value.isoformat()
    return text if len(text) <= 60 else text[:57] + "..."
