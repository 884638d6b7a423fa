"""Every error class, each produced by the fake service over real HTTP (no mock)."""
import socket
import time

import pytest

from rakuten_connector import (
    AuthError, ParameterError, QuotaError, RakutenClient, ResponseError, RightsError, TransientError, const,
)
from rakuten_connector.fake_server import seed_shop
from rakuten_connector.records import TrackingLine


def test_wrong_token_is_an_auth_error(server):
    client = RakutenClient(server.url, server.shop.login, 'not-the-token', timeout=1, backoff=0)
    with pytest.raises(AuthError) as caught:
        client.check_connection()
    assert caught.value.code == const.ERROR_AUTH and not caught.value.retryable


def test_unknown_login_is_an_auth_error(server):
    client = RakutenClient(server.url, 'seller@example.fr', server.shop.token, timeout=1, backoff=0)
    with pytest.raises(AuthError):
        client.get_new_sales()


def test_quota_exceeded(client, server):
    server.state.inject('quota', 'getnewsales')
    with pytest.raises(QuotaError) as caught:
        client.get_new_sales()
    assert caught.value.retryable
    assert client.get_new_sales().sales == ()  # the next hour comes


def test_quota_counted_by_the_server(client, server):
    server.shop.quota_per_hour = 2
    client.get_new_sales()
    client.get_new_sales()
    with pytest.raises(QuotaError):
        client.get_new_sales()


def test_missing_rights(client, server):
    server.state.inject('rights', 'export')
    with pytest.raises(RightsError):
        client.export_inventory()


def test_unsupported_version_is_a_parameter_error(client, monkeypatch):
    monkeypatch.setitem(const.ACTIONS, 'getnewsales', (const.SALES_PATH, '1999-01-01', False))
    with pytest.raises(ParameterError, match='1999-01-01 is not supported'):
        client.get_new_sales()


@pytest.mark.parametrize('kind', ['http500', 'http502', 'http503', 'error200', 'unavailable', 'timeout'])
def test_transient_failures_of_a_read_are_retried(client, server, kind):
    server.state.inject(kind, 'getnewsales', times=2, delay=1.5)
    assert client.get_new_sales().sales == ()
    assert server.state.count('getnewsales') == 3


@pytest.mark.parametrize('kind', ['http500', 'error200', 'unavailable', 'timeout'])
def test_transient_failures_that_last_raise_transient_error(client, server, kind):
    server.state.inject(kind, 'getnewsales', times=10, delay=1.5)
    with pytest.raises(TransientError) as caught:
        client.get_new_sales()
    assert caught.value.retryable


def test_connection_refused_is_transient():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    client = RakutenClient(f'http://127.0.0.1:{port}', 'shop', 'secret-token', timeout=1, retries=1, backoff=0)
    with pytest.raises(TransientError) as caught:
        client.get_new_sales()
    assert caught.value.code == 'NetworkError'


@pytest.mark.parametrize('kind', ['malformed', 'truncated', 'empty', 'entity'])
def test_unreadable_answers_are_response_errors(client, server, kind):
    seed_shop(server.shop, sales=3)
    server.state.inject(kind, 'getnewsales', times=10)
    with pytest.raises(ResponseError):
        client.get_new_sales()
    assert server.state.count('getnewsales') == 4  # a read is asked again, within the retry budget


def test_one_truncated_answer_to_a_read_is_asked_again(client, server):
    seed_shop(server.shop, sales=3)
    server.state.inject('truncated', 'getnewsales')
    assert len(client.get_new_sales().sales) == 3


def test_unreadable_answer_to_a_write_is_not_replayed(client, server):
    item = server.shop.add_sale([('RK-MUG', '9.50')]).items[0]
    server.state.inject('truncated', 'acceptsale')
    with pytest.raises(ResponseError):
        client.accept_sale(item.itemid)
    assert server.state.count('acceptsale') == 1
    assert client.accept_sale(item.itemid).accepted  # the caller's retry is idempotent


def test_oversized_answer_is_refused(server):
    client = RakutenClient(server.url, server.shop.login, server.shop.token, timeout=5,
                           max_response_bytes=1024 * 1024)
    server.state.inject('oversized', 'getnewsales')
    with pytest.raises(ResponseError, match='larger than'):
        client.get_new_sales()


def test_repeated_page_token_stops_paging(client, server):
    seed_shop(server.shop, sales=12)
    server.state.inject('repeat_page', 'getnewsales', times=5)
    with pytest.raises(ResponseError, match='same page token'):
        list(client.iter_new_sales())


@pytest.mark.parametrize('kind', ['wrong_encoding', 'control_chars'])
def test_damaged_but_readable_answers_are_read(client, server, kind):
    server.shop.add_sale([('RK-MUG', '9.50')], buyer={'firstname': 'Anaïs', 'lastname': 'Bœuf'})
    server.state.inject(kind, 'getnewsales')
    [sale] = client.get_new_sales().sales
    assert sale.delivery_address.name == 'Anaïs Bœuf'


def test_missing_credentials_are_refused_before_any_call(server):
    with pytest.raises(ParameterError):
        RakutenClient(server.url, 'shop', '')


def test_fault_after_some_calls(client, server):
    server.state.inject('quota', 'getnewsales', after=2)
    client.get_new_sales()
    client.get_new_sales()
    with pytest.raises(QuotaError):
        client.get_new_sales()
    client.get_new_sales()


@pytest.mark.parametrize('action', ['getnewsales', 'importitemshippingstatus'])
def test_long_retry_after_stops_without_sleeping(client, server, action):
    server.state.inject('retry_after', action, times=5, delay=3600)
    started = time.monotonic()
    with pytest.raises(QuotaError) as caught:
        if action == 'getnewsales':
            client.get_new_sales()
        else:
            client.import_item_shipping_status([TrackingLine('1', '2', 'Colissimo', '6A1')])
    assert time.monotonic() - started < 5, "a worker never waits an hour for Rakuten"
    assert caught.value.code == 'RetryAfter' and '3600 seconds' in caught.value.message
    assert server.state.count(action) == 1, "not asked again before the next run"


def test_short_retry_after_is_honoured(client, server):
    server.state.inject('retry_after', 'getnewsales', times=1, delay=1)
    started = time.monotonic()
    assert client.get_new_sales().sales == ()
    assert time.monotonic() - started >= 1
    assert server.state.count('getnewsales') == 2
