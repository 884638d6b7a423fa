"""The login and the token never reach a log line, an exception text or the client's repr."""
import logging
import socket

import pytest

from rakuten_connector import RakutenClient, RakutenError, redact

TOKEN = 'tok-5ecr3t-9f8e7d'


@pytest.fixture
def secret_client(server):
    server.state.add_shop('ma-boutique', TOKEN)
    server.state.default_login = 'ma-boutique'
    return RakutenClient(server.url, 'ma-boutique', TOKEN, timeout=1, backoff=0)


def test_redact_masks_query_values_and_literals():
    text = 'GET /sales_ws?action=getnewsales&login=ma-boutique&pwd=tok-5ecr3t-9f8e7d&version=1 for tok-5ecr3t-9f8e7d'
    cleaned = redact(text, secrets=(TOKEN,))
    assert TOKEN not in cleaned and 'ma-boutique' not in cleaned
    assert 'action=getnewsales' in cleaned


def test_no_secret_in_logs_of_a_full_exchange(secret_client, server, caplog):
    caplog.set_level(logging.DEBUG)
    server.state.inject('http503', 'getnewsales', times=1)
    secret_client.get_new_sales()
    secret_client.check_connection()
    assert caplog.records, 'urllib3 logs each request at DEBUG level'
    for record in caplog.records:
        assert TOKEN not in record.getMessage()


def test_no_secret_in_network_error_text_or_traceback():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    client = RakutenClient(f'http://127.0.0.1:{port}', 'ma-boutique', TOKEN, timeout=1, retries=0)
    with pytest.raises(RakutenError) as caught:
        client.get_new_sales()
    assert TOKEN not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert TOKEN not in repr(client)


def test_no_secret_in_auth_error(server):
    client = RakutenClient(server.url, 'ma-boutique', TOKEN, timeout=1)
    with pytest.raises(RakutenError) as caught:
        client.get_new_sales()
    assert TOKEN not in str(caught.value)
