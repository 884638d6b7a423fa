"""The login and the token never reach a log line, an exception text or the client's repr."""
import io
import logging
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rakuten_connector import RakutenClient, RakutenError, install_log_redaction, redact

TOKEN = 'tok-5ecr3t-9f8e7d'
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def redaction():
    """Log redaction installed as the addon does it when Odoo imports it; undone after the test."""
    make_record = logging.Logger.makeRecord
    install_log_redaction()
    yield
    logging.Logger.makeRecord = make_record


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


def test_no_secret_in_logs_of_a_full_exchange(redaction, secret_client, server, caplog):
    caplog.set_level(logging.DEBUG)
    server.state.inject('http503', 'getnewsales', times=1)
    secret_client.get_new_sales()
    secret_client.check_connection()
    assert caplog.records, 'urllib3 logs each request at DEBUG level'
    for record in caplog.records:
        assert TOKEN not in record.getMessage()


def test_importing_the_library_changes_nothing_in_logging():
    """Without the application's install_log_redaction, urllib3 does log the token: nothing was set up at
    import. Once installed, the same request logs it masked. (A fresh interpreter: pytest's has it.)"""
    script = textwrap.dedent(f"""
        import io, logging
        make_record, factory = logging.Logger.makeRecord, logging.getLogRecordFactory()
        from rakuten_connector import RakutenClient, install_log_redaction
        from rakuten_connector.fake_server import FakeRakutenServer
        stream = io.StringIO()
        logging.basicConfig(stream=stream, level=logging.DEBUG)
        with FakeRakutenServer() as server:
            server.state.add_shop('ma-boutique', {TOKEN!r})
            client = RakutenClient(server.url, 'ma-boutique', {TOKEN!r}, timeout=1)
            client.check_connection()
            assert logging.Logger.makeRecord is make_record and logging.getLogRecordFactory() is factory
            assert not any(logging.getLogger(name).filters for name in logging.root.manager.loggerDict)
            assert {TOKEN!r} in stream.getvalue(), 'urllib3 logs the URL with the token at DEBUG'
            install_log_redaction()
            stream.truncate(0)
            client.check_connection()
            assert 'pwd=***' in stream.getvalue() and {TOKEN!r} not in stream.getvalue(), stream.getvalue()
        print('ok')
    """)
    result = subprocess.run([sys.executable, '-c', script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == 'ok', result.stderr


def test_redaction_reaches_propagated_records_and_handlers_added_later(redaction):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # added after the installation, on a parent logger
    parent = logging.getLogger('rk_test_parent')
    parent.addHandler(handler)
    parent.setLevel(logging.INFO)
    try:
        child = logging.getLogger('rk_test_parent.child')
        child.info('GET %s', f'/sales_ws?action=getnewsales&login=ma-boutique&pwd={TOKEN}')
        try:
            raise ValueError(f'Max retries exceeded with url: /stock_ws?login=ma-boutique&pwd={TOKEN}')
        except ValueError:
            child.exception('Rakuten call failed')
    finally:
        parent.removeHandler(handler)
    output = stream.getvalue()
    assert 'pwd=***' in output and 'Max retries exceeded' in output
    assert TOKEN not in output and 'ma-boutique' not in output


def test_redaction_survives_a_log_record_factory_set_afterwards(redaction, caplog):
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(lambda *args, **kwargs: factory(*args, **kwargs))  # as Odoo's logging setup
    try:
        logging.getLogger('rk_test').warning('GET /sales_ws?login=ma-boutique&pwd=%s', TOKEN)
    finally:
        logging.setLogRecordFactory(factory)
    assert caplog.messages == ['GET /sales_ws?login=***&pwd=***']


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
