"""pytest plugin (entry point pytest11): a running Latest Interactions mock per test.

def test_my_client(latest_interactions_mock):
    client = MyClient(base_url=latest_interactions_mock.base_url, token="valid-token")
    ...
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver.app import create_app
from mockserver.running import RunningMock, start_in_thread
from mockserver.settings import Settings


@pytest.fixture
def latest_interactions_mock() -> Iterator[RunningMock]:
    """A mock on a free loopback port with the default fixtures, its own state, gone after the test."""
    with start_in_thread(create_app(Settings(port=0))) as running:
        yield running
