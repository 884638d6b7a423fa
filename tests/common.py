from odoo import Command
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
            self.server.state.latency = 0.0
            self.server.state.max_in_flight = 0
            self.shop.sales.clear()
            self.shop.imports.clear()


class RakutenCase(RakutenMixin, TransactionCase):
    pass


class RakutenHttpCase(RakutenMixin, HttpCase):
    pass


class RakutenShopCase(RakutenCase):
    """A French shop on the shipped default settings (acceptance when the stock covers the sale): products
    with 20 % VAT (price excluded) whose list prices are not what Rakuten buyers pay, carriers mapped, stock
    in the warehouse (``STOCK`` units of each product)."""

    STOCK = 100

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref('base.EUR').active = True
        cls.company.currency_id = cls.env.ref('base.EUR')
        cls.vat = cls.env['account.tax'].create({
            'name': 'TVA 20 % (test)', 'amount': 20, 'amount_type': 'percent', 'type_tax_use': 'sale',
            'price_include_override': 'tax_excluded', 'company_id': cls.company.id,
        })
        cls.warehouse = cls.env['stock.warehouse'].search([('company_id', '=', cls.company.id)], limit=1)
        cls.warehouse.rakuten_stock_source = True
        # Rakuten buyers pay 9.50 and 19.90 in the tests: never the list price, which an order line recomputed
        # from the pricelist would show.
        cls.mug = cls._product('RK-MUG', 'Mug « Café crème »', 8.10)
        cls.tee = cls._product('RK-TEE', 'T-shirt coton bio', 17.30)
        for product in cls.mug | cls.tee:
            cls._set_stock(product, cls.STOCK)
        ship = cls.env['product.product'].create({'name': 'Port', 'type': 'service',
                                                  'taxes_id': [Command.set(cls.vat.ids)]})
        cls.colissimo = cls.env['delivery.carrier'].create({'name': 'Colissimo', 'product_id': ship.id})
        cls.relay_carrier = cls.env['delivery.carrier'].create({'name': 'Mondial Relay', 'product_id': ship.id})
        cls.standard = cls.env['delivery.carrier'].create({'name': 'Lettre verte', 'product_id': ship.id})
        cls.env['rakuten.shipping.mapping'].create([
            {'name': 'Suivi', 'carrier_id': cls.colissimo.id},
            {'name': 'Point relais Mondial Relay', 'carrier_id': cls.relay_carrier.id},
        ])
        cls.company.write({'rakuten_default_carrier_id': cls.standard.id, 'rakuten_last_order_sync': False})

    @classmethod
    def _product(cls, sku, name, price):
        return cls.env['product.product'].create({
            'name': name, 'default_code': sku, 'list_price': price, 'is_storable': True,
            'taxes_id': [Command.set(cls.vat.ids)],
        })

    def _stock(self, product, quantity):
        """``quantity`` more (or less) of ``product`` in the warehouse."""
        self.env['stock.quant']._update_available_quantity(product, self.warehouse.lot_stock_id, quantity)

    @classmethod
    def _set_stock(cls, product, quantity):
        """Exactly ``quantity`` of ``product`` in the warehouse."""
        location = cls.warehouse.lot_stock_id
        on_hand = cls.env['stock.quant']._get_available_quantity(product, location)
        cls.env['stock.quant']._update_available_quantity(product, location, quantity - on_hand)

    def _basket(self, **kwargs):
        """A basket as French buyers make them: two mugs and a T-shirt at Rakuten prices (not the list
        prices), shipping paid on every unit."""
        return self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')],
                                  shipping_price=['4.90', '1.50', '2.00'], shipping_type='Suivi', **kwargs)

    def _run(self):
        return self.env['rakuten.sale']._rakuten_import(self.company)

    def _set_workers(self, workers):
        """How many Rakuten calls of a run may be under way at once."""
        self.env['ir.config_parameter'].set_param('rakuten_connector.workers', workers)

    def _sale(self, purchase):
        return self.env['rakuten.sale'].search([('purchase_ref', '=', purchase.purchaseid)])


class RakutenStockCase(RakutenShopCase):
    """Stock sync on, company rules neutral, only the mug and the tee synced; both have an advert on Rakuten."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({'rakuten_stock_sync': True, 'rakuten_max_qty': 0, 'rakuten_max_percentage': 100,
                           'rakuten_end_when_qty': 0})
        # The stock tests count from an empty warehouse and publish the list prices.
        for product, price in ((cls.mug, 9.50), (cls.tee, 19.90)):
            cls._set_stock(product, 0)
            product.list_price = price
        # Only this test's products are synced, whatever else the database holds.
        cls.env['product.product'].search([('id', 'not in', (cls.mug | cls.tee).ids)]).rakuten_sync = False

    def setUp(self):
        super().setUp()
        self.server.state.import_polls = 0  # Rakuten processes the file at the first report read
        self.shop.adverts.clear()
        self.mug_advert = self.shop.add_advert('RK-MUG', stock=0, price='9.50')
        self.tee_advert = self.shop.add_advert('RK-TEE', stock=0, price='19.90')

    def _sync(self):
        return self.env['rakuten.stock.import']._rakuten_sync_company(self.company)

    def _files(self):
        return self.env['rakuten.stock.import'].search([('company_id', '=', self.company.id)])
