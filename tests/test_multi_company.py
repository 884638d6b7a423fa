from decimal import Decimal

from odoo import Command
from odoo.tests import tagged

from .common import RakutenShopCase


@tagged('post_install', '-at_install')
class TestMultiCompany(RakutenShopCase):
    """Two companies, each with its own Rakuten shop, sharing the same products."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop_b = cls.server.state.add_shop('boutique-lyon', 'token-lyon')
        cls.company_b = cls.env['res.company'].create({
            'name': 'Boutique Lyon', 'currency_id': cls.env.ref('base.EUR').id, 'sequence': 0,  # runs first
            'rakuten_enabled': True, 'rakuten_login': cls.shop_b.login, 'rakuten_token': cls.shop_b.token,
            'rakuten_base_url': cls.server.url, 'rakuten_accept_policy': 'all', 'rakuten_stock_sync': True,
            'rakuten_default_carrier_id': cls.colissimo.id,
        })
        cls.company.write({'sequence': 10, 'rakuten_stock_sync': True})
        for product, price in ((cls.mug, 9.50), (cls.tee, 19.90)):  # the stock and price tests count from an
            cls._set_stock(product, 0)                                # empty warehouse and publish list prices
            product.list_price = price
        cls.env.user.company_ids |= cls.company_b
        cls.warehouse_b = cls.env['stock.warehouse'].search([('company_id', '=', cls.company_b.id)], limit=1)
        cls.warehouse_b.rakuten_stock_source = True
        cls.colissimo.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')
        # Only the shared test products are synced, whatever else the database holds.
        cls.env['product.product'].search([('id', 'not in', (cls.mug | cls.tee).ids)]).rakuten_sync = False

    def setUp(self):
        super().setUp()
        self.server.state.import_polls = 0
        with self.server.state.lock:
            self.shop_b.sales.clear()
            self.shop_b.imports.clear()
        for shop in (self.shop, self.shop_b):
            shop.adverts.clear()
            shop.add_advert('RK-MUG', stock=0)

    def _lose_token(self, company):
        company.rakuten_token = False

    def _stock_b(self, product, quantity):
        self.env['stock.quant']._update_available_quantity(product, self.warehouse_b.lot_stock_id, quantity)

    def _orders(self):
        for product in (self.mug, self.tee):
            self._stock(product, 10)
            self._stock_b(product, 10)
        purchase_a = self.shop.add_sale([('RK-MUG', '9.50')], shipping_type='Suivi')
        purchase_b = self.shop_b.add_sale([('RK-MUG', '9.50')], shipping_type='Suivi')
        self.env['rakuten.sale']._cron_import()
        sale_b = self.env['rakuten.sale'].search([('purchase_ref', '=', purchase_b.purchaseid)])
        return purchase_a, self._sale(purchase_a), purchase_b, sale_b

    # --- Import ---

    def test_import_goes_on_for_the_other_companies(self):
        self._lose_token(self.company_b)
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self._stock(self.mug, 5)
        self.env['rakuten.sale']._cron_import()
        self.assertEqual(self._sale(purchase).state, 'imported')
        self.assertEqual(self.company_b.rakuten_import_state, 'failed')
        self.assertIn('Token', self.company_b.rakuten_import_message)
        self.assertEqual(self.company.rakuten_import_state, 'ok')

    def test_each_company_imports_its_own_shop(self):
        purchase_a, sale_a, purchase_b, sale_b = self._orders()
        self.assertEqual(sale_a.company_id, self.company)
        self.assertEqual((sale_b.company_id, sale_b.order_id.company_id), (self.company_b, self.company_b))
        self.assertEqual(sale_b.order_id.warehouse_id, self.warehouse_b)

    # --- Despatch ---

    def _validate(self, picking, tracking):
        picking = picking.with_company(picking.company_id)
        picking.carrier_tracking_ref = tracking
        picking.move_ids.quantity = 1
        picking.button_validate()
        return picking

    def test_despatch_goes_on_for_the_other_companies(self):
        purchase_a, sale_a, purchase_b, sale_b = self._orders()
        picking_a = self._validate(sale_a.order_id.picking_ids, '6A-PARIS')
        picking_b = self._validate(sale_b.order_id.picking_ids, '6A-LYON')
        self._lose_token(self.company_b)
        self.env['stock.picking']._cron_rakuten_despatch()
        self.assertEqual(picking_a.rakuten_despatch_state, 'sent', picking_a.rakuten_despatch_error)
        self.assertEqual(purchase_a.items[0].tracking['number'], '6A-PARIS')
        self.assertEqual(picking_b.rakuten_despatch_state, 'to_send', "waits for its credentials")
        self.assertIn('Token', picking_b.rakuten_despatch_error)
        self.company_b.rakuten_token = self.shop_b.token
        self.env['stock.picking']._cron_rakuten_despatch()
        self.assertEqual(picking_b.rakuten_despatch_state, 'sent')
        self.assertEqual(purchase_b.items[0].tracking['number'], '6A-LYON', "sent to the Lyon shop")

    # --- Stock ---

    def _cron_stock(self):
        self.env['rakuten.stock.import']._cron_rakuten_stock()

    def test_stock_goes_on_for_the_other_companies(self):
        self._lose_token(self.company_b)
        self._stock(self.mug, 4)
        self._cron_stock()
        self._cron_stock()  # Rakuten applies the file when its report is read
        self.assertEqual(self.shop.advert_by_sku('RK-MUG').stock, 4)
        self.assertIn('Token', self.company_b.rakuten_stock_message)

    def test_shared_product_keeps_a_state_per_company(self):
        self._stock(self.mug, 7)
        self._stock_b(self.mug, 3)
        self._stock(self.tee, 2)
        self.shop.add_advert('RK-TEE', stock=0)  # the Lyon shop has no tee advert
        self._stock_b(self.tee, 2)
        self._cron_stock()
        self._cron_stock()
        self.assertEqual((self.shop.advert_by_sku('RK-MUG').stock, self.shop_b.advert_by_sku('RK-MUG').stock), (7, 3))
        mug_a, mug_b = self.mug.with_company(self.company), self.mug.with_company(self.company_b)
        self.assertEqual((mug_a.rakuten_published_qty, mug_b.rakuten_published_qty), (7, 3))
        self.assertEqual(mug_a.rakuten_advert_ref, self.shop.advert_by_sku('RK-MUG').advertid)
        self.assertEqual(mug_b.rakuten_advert_ref, self.shop_b.advert_by_sku('RK-MUG').advertid)
        tee_a, tee_b = self.tee.with_company(self.company), self.tee.with_company(self.company_b)
        self.assertEqual((tee_a.rakuten_listing_state, tee_b.rakuten_listing_state), ('active', 'error'))
        self.assertIn('RK-TEE', tee_b.rakuten_push_result)
        self.assertEqual(tee_a.rakuten_push_result, 'Accepted by Rakuten')
        files = self.env['rakuten.stock.import'].search([('company_id', 'in', (self.company | self.company_b).ids)])
        self._stock_b(self.mug, 1)
        self._cron_stock()
        new = self.env['rakuten.stock.import'].search(
            [('company_id', 'in', (self.company | self.company_b).ids)]) - files
        self.assertEqual(new.company_id, self.company_b, "only the company whose quantity changed sends a file")
        self.assertEqual(new.line_ids.mapped('sku'), ['RK-MUG'])

    def test_advert_refresh_per_company(self):
        self.env['rakuten.advert']._rakuten_refresh(self.company_b)
        self.assertEqual(self.mug.with_company(self.company_b).rakuten_advert_ref,
                         self.shop_b.advert_by_sku('RK-MUG').advertid)
        self.assertFalse(self.mug.with_company(self.company).rakuten_advert_ref)
        self.assertEqual(self.tee.with_company(self.company_b).rakuten_listing_state, 'missing')
        self.assertFalse(self.tee.with_company(self.company).rakuten_listing_state)

    def test_prices_per_company(self):
        vat_b = self.env['account.tax'].create({
            'name': 'TVA 5,5 % (Lyon)', 'amount': 5.5, 'amount_type': 'percent', 'type_tax_use': 'sale',
            'price_include_override': 'tax_excluded', 'company_id': self.company_b.id,
            'country_id': self.env.ref('base.fr').id, 'tax_group_id': self.env['account.tax.group'].create({
                'name': 'TVA', 'company_id': self.company_b.id, 'country_id': self.env.ref('base.fr').id}).id})
        self.mug.taxes_id |= vat_b
        pricelist_b = self.env['product.pricelist'].create({
            'name': 'Rakuten Lyon', 'currency_id': self.env.ref('base.EUR').id, 'company_id': self.company_b.id,
            'item_ids': [Command.create({'applied_on': '3_global', 'compute_price': 'percentage',
                                         'percent_price': 10})]})
        self.company.write({'rakuten_price_sync': True, 'rakuten_max_price_drop': 20})
        self.company_b.write({'rakuten_price_sync': True, 'rakuten_pricelist_id': pricelist_b.id,
                              'rakuten_min_margin': 50})
        self.mug.with_company(self.company).standard_price = 4.0  # floor A: 4.80
        self.mug.with_company(self.company_b).standard_price = 6.0  # floor B: 6 × 1.5 + 5.5 % = 9.50
        self._stock(self.mug, 2)
        self._stock_b(self.mug, 2)
        self.mug.with_company(self.company).action_rakuten_confirm_price()  # the first price, reviewed
        self._cron_stock()
        self._cron_stock()
        mug_a, mug_b = self.mug.with_company(self.company), self.mug.with_company(self.company_b)
        self.assertEqual(self.shop.advert_by_sku('RK-MUG').price, Decimal('11.40'), "9.50 + 20 % VAT")
        self.assertEqual((mug_b.rakuten_preview_price, mug_b.rakuten_price_floor), (9.02, 9.50),
                         "Lyon: 9.50 - 10 % + 5.5 % VAT, under 6 × 1.5 + 5.5 % VAT")
        self.assertEqual((mug_a.rakuten_price_blocked, mug_b.rakuten_price_blocked), (False, 'floor'))
        self.assertEqual(self.shop_b.advert_by_sku('RK-MUG').price, Decimal('10.00'), "Lyon keeps its price")
        self.assertEqual(self.shop_b.advert_by_sku('RK-MUG').stock, 2, "but gets its quantity")
        self.assertEqual((mug_a.rakuten_published_price, mug_b.rakuten_published_price), (11.40, 0.0))
        self.company_b.rakuten_min_margin = 40  # floor 8.86
        self.mug.with_company(self.company_b).action_rakuten_confirm_price()  # Lyon's first price, reviewed
        self._cron_stock()
        self._cron_stock()
        self.assertEqual(self.shop_b.advert_by_sku('RK-MUG').price, Decimal('9.02'))
        self.assertEqual((mug_a.rakuten_published_price, mug_b.rakuten_published_price), (11.40, 9.02))
        self.assertFalse(mug_b.rakuten_price_blocked)
