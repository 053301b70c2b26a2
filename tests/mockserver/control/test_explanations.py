"""Every answer explained: the journal's `explanation` names the step that decided it and why, with the
inputs as received, the same on one process and on a fleet."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from mockserver.api.served import ServedApi
from mockserver.control.explanations import STEPS, Explainer
from tests.conftest import V1, V2, get

ALSO_ON_A_FLEET = True
SERVED = ServedApi.load()
EXPLAINER = Explainer(frozenset({1, 2}), SERVED.rules, SERVED.route_template)
TOKEN = {"fingerprint": "abc123", "hint": "…", "known": True, "account": "acc", "expired": False}


def entry(**fields: Any) -> dict[str, Any]:
    base = {
        "method": "GET",
        "path": "/v0/acc/agents/a/latestInteractions",
        "account": "acc",
        "agent": "a",
        "query": {},
        "accept": [V1],
        "authorization": {"scheme": "Bearer", "token": TOKEN},
        "status": 200,
        "fault": None,
    }
    return {**base, **fields}


ROWS = [
    # (entry, step, words in why)
    (
        entry(account=None, agent=None, path="/v0/acc/agents/recentinteraction", status=404),
        "route",
        "/v0/acc/agents/recentinteraction is not the operation's path",
    ),
    (entry(method="POST", status=405), "method", "POST is not allowed"),
    (entry(status=503, fault="status"), "fault", "injected fault (status)"),
    (entry(status=None, fault="drop"), "fault", "cut mid-answer"),
    (entry(authorization=None, status=401), "authentication", "No Authorization header"),
    (entry(authorization={"scheme": "Basic", "token": None}, status=401), "authentication", "scheme 'Basic'"),
    (
        entry(authorization={"scheme": "Bearer", "token": None}, status=401),
        "authentication",
        "'Bearer' without a token",
    ),
    (
        entry(authorization={"scheme": "Bearer", "token": {**TOKEN, "known": False}}, status=401),
        "authentication",
        "fingerprint abc123) is unknown",
    ),
    (
        entry(authorization={"scheme": "Bearer", "token": {**TOKEN, "expired": True}}, status=401),
        "authentication",
        "has expired",
    ),
    (entry(account="other", status=403), "authorization", "opens account 'acc', not 'other'"),
    (entry(accept=[], status=406), "negotiation", "No Accept header names none"),
    (
        entry(accept=["*/*", "text/html"], status=406),
        "negotiation",
        "Accept '*/*'; 'text/html' names none of the supported media types (application/json;version=1, application/json;version=2)",
    ),
    (entry(accept=[V2], query={"size": ["0"]}, status=400), "query", "'size'"),
    (entry(status=404, agent="nobody"), "agent", "Agent 'nobody' is not in account 'acc'"),
    (entry(), "served", "Version 1 served, chosen by the range 'application/json;version=1'"),
    (entry(query={"size": ["0"]}), "served", "ignored"),
    (
        entry(accept=[f"{V1};q=0.4, {V2};q=0.9"], query={"size": ["5"]}),
        "served",
        "Version 2 served, chosen by the range 'application/json;version=2;q=0.9'; size=5, type=All (default), activeLiveFirst=false (default)",
    ),
    (entry(fault="delay"), "served", "(after an injected delay)"),
]


@pytest.mark.parametrize(("found", "step", "words"), ROWS, ids=[f"{r[1]}-{i}" for i, r in enumerate(ROWS)])
def test_each_answer_is_explained(found: dict[str, Any], step: str, words: str) -> None:
    explained = EXPLAINER.explain(found)
    assert explained["step"] == step and step in STEPS
    assert words in explained["why"]


def test_the_journal_explains_over_http_and_filters_by_step(client: httpx.Client) -> None:
    client.delete("/__admin/journal")
    refused = get(client, "agent-7", accept=None)
    served = get(client, "agent-7", accept=V2, params={"size": "2"})
    entries = client.get("/__admin/journal").json()["requests"]
    assert [e["explanation"]["step"] for e in entries] == ["negotiation", "served"]
    assert "Accept '*/*' names none of the supported" in entries[0]["explanation"]["why"]  # httpx's default
    assert "size=2, type=All (default)" in entries[1]["explanation"]["why"]
    only = client.get("/__admin/journal", params={"explanation": "negotiation"}).json()["requests"]
    assert [e["status"] for e in only] == [406]
    # the answers themselves carry nothing of it
    assert refused.status_code == 406 and set(served.json()) == {"interactions"}
    assert "explanation" not in served.text
