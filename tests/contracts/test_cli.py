"""`contracts check`: verdict per rule, exit codes 0/1/2, JUnit XML, reproducing curl commands."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from contracts.cli import main
from contracts.registry import RULES
from mockserver import Settings, create_app
from mockserver.fixtures.check import build_state
from mockserver.resources import DEFAULT_FIXTURES, SPEC_PATH
from mockserver.running import RunningMock, start_in_thread
from tests.conftest import one_agent_document
from tests.contracts.conftest import check_args


def test_the_mock_passes_every_rule(mock: RunningMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "junit.xml"
    assert main(check_args(mock.base_url, "--junit-xml", str(report))) == 0
    out = capsys.readouterr().out
    for rule_id in RULES:
        assert rule_id in out
    assert "0 failed" in out
    suite = ET.parse(report).getroot()
    assert suite.get("tests") == str(len(RULES))
    assert suite.get("failures") == "0"
    assert {case.get("name") for case in suite.iter("testcase")} == set(RULES)
    skipped = {case.get("name") for case in suite.iter("testcase") if case.find("skipped") is not None}
    assert skipped == {
        "version_1_only_refuses_version_2",
        "known_data_v1_item_is_exact",
        "known_data_v2_lists_are_exact",
        "known_data_durations_are_floored",
        "known_data_tokens_open_their_account_only",
        # Judged only with --token-url and --client-id (tests/contracts/test_tokens.py).
        "token_endpoint_answers_a_bearer_token",
        "token_endpoint_refuses_a_wrong_secret",
    }


def test_in_known_data_mode_the_mock_passes_the_exact_rules_too(
    mock: RunningMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "junit.xml"
    args = check_args(mock.base_url, "--expect-state", str(DEFAULT_FIXTURES), "--junit-xml", str(report))
    assert main(args) == 0
    suite = ET.parse(report).getroot()
    outcomes = {case.get("name"): case for case in suite.iter("testcase")}
    for rule_id in ("known_data_v1_item_is_exact", "known_data_v2_lists_are_exact", "known_data_durations_are_floored"):
        assert len(outcomes[rule_id]) == 0, f"{rule_id} did not pass"
    assert "0 failed" in capsys.readouterr().out


def test_known_data_that_differs_from_the_server_is_a_violation_with_both_answers(
    mock: RunningMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = yaml.safe_load(DEFAULT_FIXTURES.read_text())
    channels = [
        channel
        for account in document["accounts"]
        for agent in account["agents"]
        if agent["id"] == "agent-ended"
        for interaction in agent["interactions"]
        for channel in interaction["channels"]
    ]
    channels[0]["end"] = None  # the server holds it ended
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump(document))
    args = check_args(mock.base_url, "--expect-state", str(other), "--rule", "known_data_v1_item_is_exact")
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "known_data_v1_item_is_exact" in out and "'hasEnded': False" in out


def test_an_unreadable_expected_state_is_a_usage_error(
    mock: RunningMock, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(check_args(mock.base_url, "--expect-state", str(tmp_path / "missing.yaml")))
    assert exited.value.code == 2
    assert "missing.yaml" in capsys.readouterr().err


def test_the_version_1_only_mock_passes_in_version_1_mode(
    mock_v1_only: RunningMock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(check_args(mock_v1_only.base_url, "--versions", "1")) == 0
    out = capsys.readouterr().out
    assert "version_1_only_refuses_version_2" in out
    assert "0 failed" in out


def test_a_version_2_only_mock_passes_in_version_2_mode_and_the_version_1_rules_say_why_not(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with start_in_thread(create_app(Settings(versions=frozenset({2})))) as v2_only:
        assert main(check_args(v2_only.base_url, "--versions", "2", "--max-examples", "10")) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out
    lines = [
        line
        for line in out.splitlines()
        if line.startswith(("v1_answers_one_item_of_three_keys", "v1_item_appears_in_v2"))
    ]
    assert len(lines) == 2 and all("not exercised" in line and "version 1 is not served" in line for line in lines)


def test_a_server_still_serving_version_1_judged_as_version_2_only_fails(
    mock: RunningMock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(check_args(mock.base_url, "--versions", "2", "--rule", "checks_run_in_contract_order")) == 1
    out = capsys.readouterr().out
    assert "expected: status 406" in out and "Accept version 1" in out


def test_a_version_2_server_judged_as_version_1_only_fails(
    mock: RunningMock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(check_args(mock.base_url, "--versions", "1", "--rule", "version_1_only_refuses_version_2")) == 1
    out = capsys.readouterr().out
    assert "expected: status 406" in out
    assert 'reproduce: curl -i -H "Authorization: Bearer $TOKEN"' in out
    assert "valid-token" not in out  # the token given never shows (a staging token in CI artifacts)


def test_a_version_1_only_server_judged_as_serving_version_2_fails(
    mock_v1_only: RunningMock, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(check_args(mock_v1_only.base_url, "--rule", "version_2_is_served")) == 1
    assert "version_2_is_served" in capsys.readouterr().out


def test_without_optional_tokens_their_rules_are_not_exercised(
    mock: RunningMock, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "check",
        "--base-url",
        mock.base_url,
        "--token",
        "valid-token",
        "--account",
        "a1b2c3d4e5",
        "--agent",
        "agent-7",
    ]
    assert main([*args, "--rule", "foreign_token_is_403", "--rule", "expired_token_is_401_invalid_token"]) == 0
    out = capsys.readouterr().out
    assert "no --foreign-token given" in out and "no --expired-token given" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda a: a.__setitem__(2, f"http://127.0.0.1:{_free_port()}/v0"), "cannot reach"),
        (lambda a: a.__setitem__(4, "wrong-token"), "refused --token"),
        (lambda a: a.__setitem__(6, "f6g7h8i9j0"), "refused --token"),
        (lambda a: a.__setitem__(2, a[2].removesuffix("/v0")), "every agent answered 404"),
    ],
)
def test_cannot_judge_exits_2(
    mock: RunningMock, capsys: pytest.CaptureFixture[str], change: object, words: str
) -> None:
    args = check_args(mock.base_url)
    change(args)  # type: ignore[operator]
    assert main(args) == 2
    assert words in capsys.readouterr().err


def test_an_agent_the_server_does_not_know_is_a_violation(
    mock: RunningMock, capsys: pytest.CaptureFixture[str]
) -> None:
    args = check_args(mock.base_url, "--rule", "valid_token_is_accepted", agents=["agent-7", "no-such-agent"])
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "valid_token_is_accepted" in out and "received: 404" in out


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--base-url", "http://x/v0", "--token", "t", "--account", "a"],  # no --agent
        ["check", "--base-url", "ftp://x", "--token", "t", "--account", "a", "--agent", "b"],
        ["check", "--base-url", "http://x/v0", "--token", "t", "--account", "a", "--agent", "b", "--versions", "3"],
        ["check", "--base-url", "http://x/v0", "--token", "t", "--account", "a", "--agent", "b", "--max-examples", "0"],
        ["check", "--base-url", "http://x/v0", "--token", "t", "--account", "a", "--agent", "b", "--rule", "nope"],
        [],
    ],
)
def test_bad_usage_exits_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(args)
    assert exited.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_a_violation_that_does_not_reproduce_is_reported_as_unstable() -> None:
    from hypothesis import strategies as st

    from contracts.context import Context
    from contracts.failures import FAILED, Violation
    from contracts.registry import Rule
    from contracts.runner import run_rule
    from contracts.target import Target

    calls = {"n": 0}

    def flaky(context: Context) -> None:
        def check(_: int) -> None:
            calls["n"] += 1
            if calls["n"] == 1:
                raise Violation("the same answer", "another answer")

        context.explore(st.integers(), check, examples=5)

    target = Target("http://127.0.0.1:9/v0", "t", "a", ("b",))
    result = run_rule(Rule("flaky", "a flaky rule", "test", flaky), Context(target, None, max_examples=5, seed=0))  # type: ignore[arg-type]
    assert result.outcome == FAILED
    assert result.violation is not None and "not reproduced" in result.violation.received


def test_a_tie_break_no_outside_view_can_confirm_is_inconclusive_not_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Two chats shown starting in the same second; the higher channelGuid started 0.5 s later.
    first, second = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
    document = one_agent_document(
        [
            {"guid": first, "type": "Chat", "channels": [{"channelGuid": first, "start": "2020-01-01T10:00:00.2Z"}]},
            {"guid": second, "type": "Chat", "channels": [{"channelGuid": second, "start": "2020-01-01T10:00:00.7Z"}]},
        ]
    )
    path = tmp_path / "state.json"
    path.write_text(json.dumps(document))
    report = tmp_path / "junit.xml"
    rule = ["--rule", "v2_order_is_start_descending_then_channel_guid", "--junit-xml", str(report)]
    with start_in_thread(create_app(Settings(), state=build_state(document))) as running:
        plain = main(check_args(running.base_url, *rule, agents=["a"]))
        out = capsys.readouterr().out
        known = main(
            check_args(
                running.base_url, "--expect-state", str(path), "--rule", "known_data_v2_lists_are_exact", agents=["a"]
            )
        )
    assert plain == 0 and "inconclusive" in out and "fractions of seconds" in out
    (case,) = ET.parse(report).getroot().iter("testcase")
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("inconclusive: ")
    assert known == 0


def _spec_without_version_1(tmp_path: Path) -> Path:
    document = yaml.safe_load(SPEC_PATH.read_text())
    del document["paths"]["/{accountKey}/agents/{agentId}/latestInteractions"]["get"]["responses"]["200"]["content"][
        "application/json;version=1"
    ]
    path = tmp_path / "v2-only.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_the_judge_takes_another_spec_and_judges_by_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = _spec_without_version_1(tmp_path)
    with start_in_thread(create_app(Settings(versions=frozenset({2})))) as v2_only:
        args = check_args(v2_only.base_url, "--spec", str(spec), "--versions", "2", "--max-examples", "10")
        assert main(args) == 0
    out = capsys.readouterr().out
    assert "0 failed" in out and "schemathesis_v1_conformance" in out
    assert "LATEST_INTERACTIONS_SPEC" not in os.environ  # the run carries its spec; nothing is left behind


def test_a_spec_that_cannot_be_read_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: [\n")
    with pytest.raises(SystemExit) as exited:
        main(check_args("http://127.0.0.1:1/v0", "--spec", str(broken)))
    assert exited.value.code == 2 and "--spec" in capsys.readouterr().err


def test_the_proxy_takes_another_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: [\n")
    with pytest.raises(SystemExit) as exited:
        main(["proxy", "--upstream", "http://127.0.0.1:1/v0", "--spec", str(broken)])
    assert exited.value.code == 2 and "--spec" in capsys.readouterr().err


def test_versions_the_spec_does_not_declare_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (
        check_args("http://127.0.0.1:1/v0", "--versions", "1,3"),
        ["proxy", "--upstream", "http://x/v0", "--versions", "3"],
    ):
        with pytest.raises(SystemExit) as exited:
            main(command)
        assert exited.value.code == 2
        assert "the spec declares version(s) 1, 2, not 3" in capsys.readouterr().err
