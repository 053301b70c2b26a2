"""The proxy judges live traffic: nothing to report in front of correct servers, and in front of
each faulty server that one or two exchanges can reveal, the rule the fault breaks."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pytest

from contracts.exchange_rules import Served
from contracts.pair_rules import Window
from contracts.proxy.relay import Message, Relayed
from contracts.proxy.server import ProxySettings, RunningProxy, start_proxy_in_thread
from contracts.proxy.watch import Watch
from contracts.registry import RULES
from contracts.runner import run
from contracts.selftest import rich_state
from contracts.selftest.cli import TRAFFIC, rules_for, serving
from contracts.selftest.planted_bugs import PLANTED_BUGS
from contracts.selftest.variants import VARIANTS
from contracts.target import Target
from mockserver.running import RunningMock
from tests.contracts.conftest import DEFAULT_AGENTS

# Each fault, and the proxy's rule that must report it from the traffic `contracts check` sends.
REVEALED_BY = {
    "no_vary": "ok_carries_vary_accept",
    "unversioned_content_type": "version_served_is_the_one_accept_asks_for",
    "v2_oldest_first": "v2_body_is_ordered_unique_filtered_and_cut",
    "v2_size_off_by_one": "v2_body_is_ordered_unique_filtered_and_cut",
    "v2_type_filter_ignored": "v2_body_is_ordered_unique_filtered_and_cut",
    "duplicate_channel_rows": "v2_body_is_ordered_unique_filtered_and_cut",
    "no_accept_served_v1": "version_served_is_the_one_accept_asks_for",
    "wildcard_served_v1": "version_served_is_the_one_accept_asks_for",
    "ignores_q_values": "version_served_is_the_one_accept_asks_for",
    "tie_goes_to_lower_version": "version_served_is_the_one_accept_asks_for",
    "not_found_before_unauthorized": "no_answer_but_401_without_a_bearer_token",
    "bare_token_accepted": "no_answer_but_401_without_a_bearer_token",
    "not_found_before_bad_parameter": "v2_parameters_are_judged_before_the_agent",
    "v1_validates_v2_parameters": "v2_parameters_are_judged_before_the_agent",
    "v2_size_zero_accepted": "v2_parameters_are_judged_before_the_agent",
    "duration_in_milliseconds": "v2_durations_are_whole_seconds_within_the_time_elapsed",
    "not_found_message_differs": "not_found_is_the_pages_body",
    "v1_item_extra_key": "v1_body_is_one_item_of_three_keys",
    "problem_json_errors": "error_bodies_are_json_messages",
    "server_error_on_non_numeric_size": "no_server_errors",
    "invalid_token_without_error_code": "unauthorized_carries_the_bearer_challenge",
    "no_www_authenticate": "unauthorized_carries_the_bearer_challenge",
    "v2_size_before_filter": "window_v2_type_is_a_filter_of_all",
    "v1_has_ended_inverted": "window_v1_agrees_with_v2",
}


@contextmanager
def proxied(target: Target) -> Iterator[tuple[RunningProxy, Target]]:
    with start_proxy_in_thread(ProxySettings(upstream=target.base_url, port=0, versions=target.versions)) as running:
        yield running, replace(target, base_url=running.base_url)


def test_in_front_of_the_mock_the_proxy_reports_no_violation_and_no_token(mock: RunningMock) -> None:
    target = Target(
        base_url=mock.base_url,
        token="valid-token",
        account="a1b2c3d4e5",
        agents=tuple(DEFAULT_AGENTS),
        foreign_token="other-account-token",
        expired_token="expired-token",
    )
    with proxied(target) as (running, through):
        results = list(run(through, max_examples=10))
        report = running.report()
    assert not [r.rule.id for r in results if r.outcome == "failed"]
    assert report["violations"] == [] and report["counts"] == {}
    assert report["exchanges"] > 300
    assert report["coverage"]["not_exercised"] == []
    text = json.dumps(report)
    assert "valid-token" not in text and "other-account-token" not in text and "expired-token" not in text


@pytest.mark.parametrize("name", ["sub_second_times", "other_messages", "lenient_binding", "realm_in_challenge"])
def test_in_front_of_correct_variants_the_proxy_reports_nothing(name: str) -> None:
    variant = VARIANTS[name]
    document = rich_state.build()
    if variant.document is not None:
        document = variant.document(document)
    with (
        serving(variant.endpoint_class, document=document, wrap=variant.asgi) as target,
        proxied(target) as (running, through),
    ):
        list(run(through, max_examples=10))
        report = running.report()
    assert report["violations"] == []


@pytest.mark.parametrize("name", sorted(REVEALED_BY))
def test_in_front_of_a_faulty_server_the_proxy_reports_the_rule_it_breaks(name: str) -> None:
    fault = PLANTED_BUGS[name]
    rules = {*rules_for(fault), *(RULES[r] for r in TRAFFIC), RULES["v2_type_filter_applies_before_size"]}
    with serving(fault.endpoint_class) as target, proxied(target) as (running, through):
        list(run(through, max_examples=10, rules=[r for r in RULES.values() if r in rules]))
        report = running.report()
    assert REVEALED_BY[name] in report["counts"], f"{name}: the proxy reported {report['counts']}"
    (first, *_) = [v for v in report["violations"] if v["rule"] == REVEALED_BY[name]]
    assert first["curl"].startswith("curl ") and ("$TOKEN" in first["curl"] or "Authorization" not in first["curl"])
    if REVEALED_BY[name].startswith("window_"):
        assert "data changing between the two requests" in first["expected"]


def _server_error(target: bytes) -> Relayed:
    request = Message(b"GET " + target + b" HTTP/1.1", [(b"Authorization", b"Bearer t"), (b"Accept", b"*/*")])
    response = Message(
        b"HTTP/1.1 500 Internal Server Error",
        [(b"Content-Type", b"application/json"), (b"Date", b"Fri, 04 Dec 2026 16:00:00 GMT")],
        bytearray(b'{"message": "boom"}'),
    )
    return Relayed(request, response)


def _watch() -> Watch:
    return Watch("http://upstream:8080/v0", Served(frozenset({1, 2})), Window(5.0))


ROUTE = b"/v0/acc/agents/ag/latestInteractions"


def _announced(watch: Watch, rule: str) -> int:
    return sum(reported.rule == rule for reported in watch.violations)


def test_a_parameter_no_rule_reads_does_not_make_an_exchange_new() -> None:
    watch = _watch()
    for n in range(3):
        watch(_server_error(ROUTE + b"?trace=%d" % n))
    assert watch.counts["no_server_errors"] == 3  # every exchange counted
    assert _announced(watch, "no_server_errors") == 1  # announced once: the verdicts were the same


@pytest.mark.parametrize("parameter", [b"size", b"Size", b"%73ize", b"type", b"activeLiveFirst"])
def test_a_parameter_a_rule_reads_makes_an_exchange_new_in_any_spelling(parameter: bytes) -> None:
    watch = _watch()
    for value in (b"1", b"2"):
        watch(_server_error(ROUTE + b"?" + parameter + b"=" + value))
    assert _announced(watch, "no_server_errors") == 2
