from odoo.tests import HttpCase, TransactionCase

from ..rakuten_connector.fake_server import FakeRakutenServer


class RakutenMixin:
    """Starts the fake Rakuten service on 127.0.0.1 and points the current company at it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = FakeRakutenServer().start()
        cls.addClassCleanup(cls.server.stop)
        cls.shop = cls.server.shop
        cls.company = cls.env.company
        cls.company.write({
            'rakuten_enabled': True,
            'rakuten_login': cls.shop.login,
            'rakuten_token': cls.shop.token,
            'rakuten_base_url': cls.server.url,
        })

    def setUp(self):
        super().setUp()
        # Every test starts with no fault, no call and no sale left by another test.
        with self.server.state.lock:
            self.server.state.faults.clear()
            self.server.state.calls.clear()
            self.shop.sales.clear()
            self.shop.imports.clear()


class RakutenCase(RakutenMixin, TransactionCase):
    pass


class RakutenHttpCase(RakutenMixin, HttpCase):
    pass
