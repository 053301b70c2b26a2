"""`mockserver run --watch`: the spec and the fixtures read again when their files change.

A change is tried whole (the new spec validated, its representations shaped, the fixtures or the
state held checked against it) and adopted at once, or refused with the reason while the last good
spec and state keep serving. Either way one line says what happened. A spec change keeps the state
when every extra field it holds is still declared and fits its schema; a fixtures change replaces
the state (and what a reset returns to), as `PUT /__admin/state` would, stopping a scenario.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from mockserver.api.served import ServedApi
from mockserver.api.shapes import ExtraField, Representations
from mockserver.app import MockServer, SpecParts
from mockserver.backends.memory import InProcessBackend
from mockserver.errors import FixtureError
from mockserver.fixtures.load import load_fixture_file
from mockserver.model import State
from mockserver.spec import SpecDocument, SpecError, api_of

POLL_SECONDS = 0.5
"""How often the files are looked at: a stat each, a read only when the stat changed."""


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


@dataclass
class _Seen:
    stat: tuple[int, int] | None
    digest: str | None


class Watcher:
    def __init__(
        self, server: MockServer, spec_path: Path, fixtures_path: Path, *, say: Callable[[str], None] = _say
    ) -> None:
        if not isinstance(server.backend, InProcessBackend):
            raise ValueError("--watch needs the in-process backend (no --store)")
        self.server, self.backend = server, server.backend
        self.spec_path, self.fixtures_path = spec_path, fixtures_path
        self.say = say
        self._seen = {path: self._look(path, None) for path in (spec_path, fixtures_path)}
        self._good = {path: seen.digest for path, seen in self._seen.items()}
        """The content digests last adopted: a change is measured against them, so fixing one file
        retries an edit of the other that was refused for its sake."""

    async def run(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            self.check()

    def check(self) -> str | None:
        """Look at both files; reload if either changed since last looked. The line said, if any."""
        changed = False
        for path in (self.spec_path, self.fixtures_path):
            seen = self._look(path, self._seen[path])
            changed = changed or seen.digest != self._seen[path].digest
            self._seen[path] = seen
        if not changed:
            return None
        line = self.reload()
        self.say(line)
        return line

    def reload(self) -> str:
        spec_changed = self._seen[self.spec_path].digest != self._good[self.spec_path]
        fixtures_changed = self._seen[self.fixtures_path].digest != self._good[self.fixtures_path]
        what = " and ".join(
            name
            for name, changed in ((self.spec_path.name, spec_changed), (self.fixtures_path.name, fixtures_changed))
            if changed
        )
        if not what:
            return "mockserver: files back as they were; nothing to reload"
        try:
            said = self._try(spec_changed, fixtures_changed)
        except (SpecError, FixtureError, ValueError) as error:
            reason = " ".join(str(error).split())  # one line, whatever the validator wrote
            return f"mockserver: {what} changed but is refused (the last good one keeps serving): {reason}"
        self._good = {path: seen.digest for path, seen in self._seen.items()}
        return f"mockserver: {what} reloaded: {said}"

    def _try(self, spec_changed: bool, fixtures_changed: bool) -> str:
        server = self.server
        spec = SpecDocument.load(self.spec_path) if spec_changed else None
        parts, said = server.parts, []
        extras: Mapping[str, ExtraField] | None = None
        if spec is not None:
            served = ServedApi.of(
                spec, api_of(spec).declared_versions if server.settings.versions_from_spec else server.settings.versions
            )
            endpoint = replace(
                server.endpoint,
                versions=served.versions,
                rules=served.rules,
                representations=served.representations,
            )
            parts = SpecParts.build(served, endpoint)
            extras = served.extras
            said.append(_shapes_changed(server.endpoint.representations, served.representations))
        state: State | None = None
        if fixtures_changed:
            held = self.backend.held()
            running = held.clock if held.clock.frozen_at is None else None
            state = load_fixture_file(
                self.fixtures_path, system_clock=running, extras=server.served.extras if extras is None else extras
            )
            said.append(f"the state now holds {_loaded(state)}")
        elif extras is not None:
            misfits = state_misfits(self.backend.held(), extras)
            if misfits:
                raise SpecError(f"the state holds data the new spec refuses: {'; '.join(misfits[:5])}")
        # Everything checked: adopt it all at once.
        if spec is not None:
            server.adopt(parts)
        if state is not None:
            self.backend.restart(state)
            if server.player is not None:
                server.player.forget()
        return "; ".join(said)

    @staticmethod
    def _look(path: Path, before: _Seen | None) -> _Seen:
        try:
            status = path.stat()
        except OSError:
            return _Seen(None, None)
        stat = (status.st_mtime_ns, status.st_size)
        if before is not None and before.stat == stat:
            return before
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            return _Seen(None, None)
        return _Seen(stat, digest)


def state_misfits(state: State, extras: Mapping[str, ExtraField]) -> list[str]:
    """Why the state's extra fields do not fit `extras` (a spec read again): one line per value."""
    found = []
    for account in state.accounts.values():
        for agent in account.agents.values():
            for interaction in agent.interactions:
                places = [(f"interaction {interaction.guid}", interaction.extra)] + [
                    (f"channel {channel.channel_guid}", channel.extra) for channel in interaction.channels
                ]
                for where, given in places:
                    for name, value in given.items():
                        extra = extras.get(name)
                        problem = "is no longer declared" if extra is None else extra.problem(value)
                        if problem is not None:
                            found.append(f"{agent.id}'s {where}: {name!r} {problem}")
    return found


def _shapes_changed(before: Representations, after: Representations) -> str:
    changes = []
    for version in sorted(after.versions - before.versions):
        changes.append(f"version {version} added")
    for version in sorted(before.versions - after.versions):
        changes.append(f"version {version} no longer served")
    for version in sorted(before.versions & after.versions):
        old = [plan.name for plan in before.shapes[version].fields] or None
        new = [plan.name for plan in after.shapes[version].fields]
        if old is None:
            continue
        added = [name for name in new if name not in old]
        removed = [name for name in old if name not in new]
        if added or removed:
            changes.append(
                f"version {version}'s items " + ", ".join([*(f"+{n}" for n in added), *(f"-{n}" for n in removed)])
            )
    return "; ".join(changes) or "the answers' shapes are unchanged"


def _loaded(state: State) -> str:
    summary = state.summary()
    return ", ".join(f"{count} {name}" for name, count in summary.items())
