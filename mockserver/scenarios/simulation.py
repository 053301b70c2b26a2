"""A seeded contact centre: agents living plausible shifts, as an endless, time-ordered stream of events.

Each simulated agent, from second 0, is idle for a while, then takes one piece of work, then is idle
again, for ever:

| work | share | what happens |
|---|---|---|
| an inbound call | 40% | handle time log-normal around 4 min; in one call of five a consult (a second channel, 30 s to 2 min) |
| an outbound call | 20% | handle time log-normal around 3 min |
| chats | 25% | one to `chat_limit` chats at once, each log-normal around 5 min, starting a little apart |
| an email | 15% | left open a long time (log-normal around 30 min) while the agent takes other work |

Idle time between pieces of work is exponential, `idle_mean` seconds on average. Times are whole
seconds. Every `history` seconds each agent forgets the channels that ended more than `history`
seconds before (a `forget_ended` change), so a simulation runs for days in constant memory.

The same seed, the same accounts and the same parameters give the same events, on any machine: each
agent draws from its own generator, seeded by the seed and the agent's name, and the streams are
merged by time, then account, agent and order of drawing.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from mockserver.scenarios.document import Event

_NAMESPACE = uuid.UUID("0c6b1f5e-2d3a-4e8f-9b7c-5a4d3e2f1a0b")


@dataclass(frozen=True)
class SimulationSettings:
    agents: int = 5
    """Simulated agents per account of the state."""
    seed: int = 1
    history: float = 3600.0
    """Seconds an ended channel is kept; older ones are forgotten."""
    idle_mean: float = 60.0
    """Mean idle time between pieces of work, in seconds."""
    chat_limit: int = 3
    """Chats an agent handles at once at most."""

    def __post_init__(self) -> None:
        if not 1 <= self.agents <= 10_000:
            raise ValueError(f"--agents must be between 1 and 10000, got {self.agents}")
        if not 60 <= self.history <= 366 * 86400:
            raise ValueError(f"--history must be between 60 seconds and a year, got {self.history:g}")
        if not 1 <= self.chat_limit <= 10:
            raise ValueError(f"the chat limit must be between 1 and 10, got {self.chat_limit}")
        if not 0 < self.idle_mean <= 86400:
            raise ValueError(f"the mean idle time must be above 0 and at most a day, got {self.idle_mean:g}")


def agent_names(settings: SimulationSettings) -> list[str]:
    return [f"sim-{number:04d}" for number in range(1, settings.agents + 1)]


def simulate(settings: SimulationSettings, accounts: Sequence[str]) -> Iterator[Event]:
    """The events of the simulated agents of `accounts` (sorted for determinism), in time order."""
    pending: list[tuple[float, int, Event]] = []
    order = itertools.count()
    agents = []
    for account in sorted(accounts):
        for name in agent_names(settings):
            agents.append(_Agent(settings, account, name))
            heapq.heappush(pending, (0.0, next(order), Event(0.0, "add_agent", account, name, name, {})))
    # Each agent's next piece of work starts at `ready`: before an event at t is given, every agent
    # ready by t has drawn its work, so no later draw can produce an event before t.
    ready = [(agent.ready, index) for index, agent in enumerate(agents)]
    heapq.heapify(ready)
    while True:
        while ready and (not pending or ready[0][0] <= pending[0][0]):
            _, index = heapq.heappop(ready)
            for event in agents[index].next_work():
                heapq.heappush(pending, (event.at, next(order), event))
            heapq.heappush(ready, (agents[index].ready, index))
        if not pending:
            return
        yield heapq.heappop(pending)[2]


class _Agent:
    def __init__(self, settings: SimulationSettings, account: str, name: str) -> None:
        self.settings = settings
        self.account = account
        self.name = name
        self.random = random.Random(f"{settings.seed}\x00{account}\x00{name}")
        self.ready = 0.0
        self.work = 0
        self.next_forget = settings.history

    def next_work(self) -> list[Event]:
        """The events of the agent's next piece of work (and any forgetting due before it), from
        `ready` on; moves `ready` to when the agent takes more work."""
        start = self.ready + math.ceil(self.random.expovariate(1 / self.settings.idle_mean))
        events: list[Event] = []
        while self.next_forget <= start:
            # Not before `ready`: events before it may already have been given.
            before = self.next_forget - self.settings.history
            at = max(self.next_forget, self.ready)
            events.append(self._event(at, "forget", f"ended before {before:g}", {"before": before}))
            self.next_forget += self.settings.history
        self.work += 1
        kind = self.random.choices(("inbound", "outbound", "chats", "email"), weights=(40, 20, 25, 15))[0]
        if kind in ("inbound", "outbound"):
            events += self._call(start, "Inbound" if kind == "inbound" else "Outbound")
        elif kind == "chats":
            events += self._chats(start)
        else:
            events += self._email(start)
        return events

    def _call(self, start: float, direction: str) -> list[Event]:
        handle = self._lognormal(240 if direction == "Inbound" else 180, 0.6, minimum=20)
        name = f"{self.name}/call-{self.work}"
        events = [self._start(start, name, "Phone", direction)]
        if direction == "Inbound" and self.random.random() < 0.2 and handle > 60:
            consult_at = start + self.random.randint(10, int(handle) - 40)
            consult_for = min(self._lognormal(60, 0.5, minimum=30), start + handle - consult_at - 5)
            consult = f"{name}/consult"
            events.append(
                self._event(
                    consult_at,
                    "add_channel",
                    consult,
                    {
                        "guid": self._guid("guid", name),
                        "channelGuid": self._guid("channelGuid", consult),
                        "interaction": name,
                    },
                )
            )
            events.append(
                self._event(
                    consult_at + consult_for,
                    "end_channel",
                    consult,
                    {"channelGuids": [self._guid("channelGuid", consult)]},
                )
            )
        events.append(self._event(start + handle, "end", name, {"channelGuids": [self._guid("channelGuid", name)]}))
        self.ready = start + handle
        return events

    def _chats(self, start: float) -> list[Event]:
        count = self.random.randint(1, self.settings.chat_limit)
        events, last_end, at = [], start, start
        for number in range(count):
            name = f"{self.name}/chat-{self.work}.{number + 1}"
            length = self._lognormal(300, 0.5, minimum=30)
            events.append(self._start(at, name, "Chat", "Inbound"))
            events.append(self._event(at + length, "end", name, {"channelGuids": [self._guid("channelGuid", name)]}))
            last_end = max(last_end, at + length)
            at += self.random.randint(5, 60)
        self.ready = last_end
        return events

    def _email(self, start: float) -> list[Event]:
        name = f"{self.name}/email-{self.work}"
        open_for = self._lognormal(1800, 0.7, minimum=120)
        self.ready = start + self.random.randint(30, 120)  # the email stays open; other work goes on
        return [
            self._start(start, name, "Email", "Inbound"),
            self._event(start + open_for, "end", name, {"channelGuids": [self._guid("channelGuid", name)]}),
        ]

    def _start(self, at: float, name: str, type_: str, direction: str) -> Event:
        fields = {
            "guid": self._guid("guid", name),
            "channelGuid": self._guid("channelGuid", name),
            "type": type_,
            "direction": direction,
            "channel": name,
        }
        return self._event(at, "start", name, fields)

    def _event(self, at: float, action: str, name: str, fields: Mapping[str, object]) -> Event:
        return Event(float(at), action, self.account, self.name, name, fields)

    def _guid(self, key: str, name: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.settings.seed}\x00{self.account}\x00{key}\x00{name}"))

    def _lognormal(self, median: float, sigma: float, *, minimum: float) -> float:
        return float(max(minimum, round(median * math.exp(self.random.gauss(0, sigma)))))
