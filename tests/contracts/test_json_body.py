"""A body is parsed once however many rules read it; what is not JSON says so."""

from __future__ import annotations

from contracts.failures import Exchange
from contracts.json_body import NOT_JSON, parse_json


def test_json_is_parsed_and_the_same_bytes_give_the_same_value() -> None:
    body = b'{"interactions": []}'
    assert parse_json(body) == {"interactions": []}
    assert parse_json(bytes(bytearray(body))) is parse_json(body)


def test_what_is_not_json_is_marked_and_an_exchange_reads_it_as_none() -> None:
    assert parse_json(b"<html>") is NOT_JSON
    assert Exchange("GET", "http://x/v0", (), (), 500, {}, b"<html>").json() is None
    assert Exchange("GET", "http://x/v0", (), (), 200, {}, b"[1]").json() == [1]
