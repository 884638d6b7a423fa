"""A fake Rakuten France web service for tests and the demo, served over real HTTP on 127.0.0.1.

In a test::

    with FakeRakutenServer() as server:
        server.shop.add_sale([('SKU-1', '9.90')])
        client = RakutenClient(server.url, server.shop.login, server.shop.token)

From a shell: ``python -m rakuten_connector.fake_server --port 8899 --seed 50``.
"""
import threading

from werkzeug.serving import WSGIRequestHandler, make_server

from .app import FakeRakutenApp
from .seed import seed_shop
from .state import FakeState

__all__ = ('FakeRakutenServer', 'FakeState', 'seed_shop')


class _QuietHandler(WSGIRequestHandler):
    """No access log: the query strings carry the login and the token."""

    def log_request(self, *args, **kwargs):
        pass


class FakeRakutenServer:

    def __init__(self, host='127.0.0.1', port=0, state=None):
        self.state = state or FakeState()
        self._server = make_server(host, port, FakeRakutenApp(self.state), threaded=True,
                                   request_handler=_QuietHandler)
        self._thread = None

    @property
    def url(self):
        return f'http://{self._server.host}:{self._server.port}'

    @property
    def shop(self):
        return self.state.shop

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name='fake-rakuten', daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self._server.serve_forever()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
