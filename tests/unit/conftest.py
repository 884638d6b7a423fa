"""Odoo-free fixtures: a fresh fake Rakuten service on 127.0.0.1 per test, and a client for it."""
import tempfile
from pathlib import Path

import pytest

from rakuten_connector import RakutenClient
from rakuten_connector.fake_server import FakeRakutenServer

try:
    from hypothesis.configuration import set_hypothesis_home_dir
except ImportError:  # requirements-test.txt not installed: only the property tests need it
    pass
else:
    # Hypothesis keeps its examples outside the repository (the addon's directory holds nothing but the addon).
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / 'rakuten-connector-hypothesis')


@pytest.fixture
def server():
    with FakeRakutenServer() as fake:
        yield fake


@pytest.fixture
def shop(server):
    return server.shop


@pytest.fixture
def client(server):
    client = RakutenClient(server.url, server.shop.login, server.shop.token, timeout=1, backoff=0)
    yield client
    client.close()
