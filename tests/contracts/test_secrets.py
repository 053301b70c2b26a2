"""No secret in any output: a run of the judge against servers that break the credential rules
leaves the tokens it was given in no line it prints and no file it writes; every reproduce line
carries `$TOKEN` (or `$FOREIGN_TOKEN`, `$EXPIRED_TOKEN`) in a form a shell expands when pasted."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts.cli import main
from contracts.selftest.cli import serving
from contracts.selftest.planted_bugs import PLANTED_BUGS
from contracts.target import Target

FAULTY = ["any_scheme_accepted", "foreign_token_not_checked", "expired_token_accepted", "token_case_insensitive"]


def args_for(target: Target, junit: Path) -> list[str]:
    args = ["check", "--base-url", target.base_url, "--token", target.token, "--account", target.account]
    for agent in target.agents:
        args += ["--agent", agent]
    assert target.foreign_token and target.expired_token
    args += ["--foreign-token", target.foreign_token, "--expired-token", target.expired_token]
    return [*args, "--junit-xml", str(junit), "--max-examples", "5"]


@pytest.mark.parametrize("fault", FAULTY)
def test_no_token_in_any_output(fault: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with serving(PLANTED_BUGS[fault].endpoint_class) as target:
        assert main(args_for(target, tmp_path / "report.xml")) == 1
    captured = capsys.readouterr()
    outputs = {"stdout": captured.out, "stderr": captured.err, "junit": (tmp_path / "report.xml").read_text()}
    for name, text in outputs.items():
        for secret in (target.token, target.foreign_token, target.expired_token):
            # No form of it either: the judge probes with case variants and one character less or more.
            assert secret and secret[:-1].lower() not in text.lower(), f"{secret!r} in {name}"
    reproduce = re.findall(r"reproduce: (curl .*)", captured.out)
    assert reproduce
    assert all(
        "Authorization" not in line or re.search(r'"Authorization: [^"]*\$\{?[A-Z_]*TOKEN', line) for line in reproduce
    )
