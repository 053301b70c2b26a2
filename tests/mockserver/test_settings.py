"""Settings: one typed value with its defaults; what cannot run together is refused when it is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver.settings import DEFAULT_JOURNAL_LIMIT, DEFAULT_STORE_PREFIX, Settings, parse_versions


def test_defaults() -> None:
    settings = Settings()
    assert (settings.host, settings.port, settings.versions) == ("127.0.0.1", 8080, frozenset({1, 2}))
    assert settings.journal_limit == DEFAULT_JOURNAL_LIMIT and settings.store_prefix == DEFAULT_STORE_PREFIX
    assert settings.admin_token is None and settings.store is None and settings.workers == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"workers": 0}, "workers must be at least 1"),
        ({"workers": 2}, "needs --store"),
        ({"store": "http://127.0.0.1:6379"}, "must be a redis://"),
        ({"journal_limit": 0}, "journal_limit must be at least 1"),
        ({"versions": frozenset({0})}, "versions must be"),
        ({"versions": frozenset({1, -3})}, "versions must be"),
        ({"versions": frozenset()}, "versions must be"),
    ],
)
def test_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Settings().replace(**changes)


def test_a_fleet_with_a_store() -> None:
    assert Settings(store="redis://127.0.0.1:6379/0", workers=4).workers == 4


@pytest.mark.parametrize(
    ("text", "versions"),
    [("1,2", {1, 2}), ("1", {1}), ("2", {2}), (" 2 , 1 ", {1, 2}), ("1,2,3", {1, 2, 3}), ("3", {3})],
)
def test_parse_versions(text: str, versions: set[int]) -> None:
    assert parse_versions(text) == versions


@pytest.mark.parametrize("text", ["", "one", "0", "1,,2", "-1", "1.5", "²", "1,2,"])
def test_parse_versions_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="--versions"):
        parse_versions(text)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"speed": 10.0, "store": "redis://127.0.0.1:6379/0"}, "fleet"),
        ({"speed": 0.0}, "--speed"),
        ({"speed": 20_000.0}, "--speed"),
        ({"simulate": True, "scenario": Path("day.yaml")}, "choose one"),
        ({"watch": True, "store": "redis://127.0.0.1:6379/0"}, "fleet"),
    ],
)
def test_time_settings_that_cannot_work_are_refused_with_why(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings(**changes)  # type: ignore[arg-type]
