"""Odoo-free fixtures: a fresh fake Rakuten service on 127.0.0.1 per test, and a client for it."""
import pytest

from rakuten_connector import RakutenClient
from rakuten_connector.fake_server import FakeRakutenServer


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
