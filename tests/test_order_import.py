from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..rakuten_connector import const
from .common import RakutenShopCase

GAELLE = {'firstname': 'Gaëlle', 'lastname': 'Château', 'address1': '3 allée des Châtaigniers',
          'address2': 'Bâtiment B', 'zipcode': '97400', 'city': 'Saint-Denis', 'login': 'gaelle-974'}
RELAY = {'id': '031337', 'name': 'Pressing Éclair', 'address': '12 rue de l’Église', 'zipcode': '69003',
         'city': 'Lyon', 'country': 'France', 'firstname': 'Zoé', 'lastname': 'Lefèvre'}


@tagged('post_install', '-at_install')
class TestOrderImport(RakutenShopCase):

    def test_basket_becomes_one_confirmed_order(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')],
                                      shipping_type='Suivi', shipping_price='4.90', buyer=GAELLE)
        self.assertTrue(self._run())
        sale = self._sale(purchase)
        order = sale.order_id
        self.assertEqual(sale.state, 'imported')
        self.assertEqual(order.state, 'sale')
        self.assertEqual(order.rakuten_purchase_ref, purchase.purchaseid)
        self.assertEqual(order.currency_id, self.env.ref('base.EUR'))
        self.assertEqual(order.warehouse_id, self.warehouse)
        products = order.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(sorted((line.product_id.default_code, line.product_uom_qty, line.price_unit)
                                for line in products), [('RK-MUG', 2, 9.5), ('RK-TEE', 1, 19.9)])
        delivery = order.order_line.filtered('is_delivery')
        self.assertEqual((order.carrier_id, delivery.price_unit), (self.colissimo, 4.9))
        self.assertAlmostEqual(order.amount_total, 43.80, places=2, msg="totals equal what the buyer paid")
        self.assertTrue(all(tax.price_include for tax in order.order_line.tax_ids))
        self.assertEqual(order.partner_id.name, 'Gaëlle Château')
        self.assertEqual(order.partner_shipping_id.street2, 'Bâtiment B')
        self.assertEqual(order.partner_shipping_id.country_id.code, 'RE', "97400: Réunion, not France")
        for item in purchase.items:
            self.assertEqual(item.status, const.STATUS_ACCEPTED)
            self.assertEqual(item.shipping_from_country, '249')
        self.assertEqual(sale.item_ids.order_line_id, products)
        self.assertEqual(self.company.rakuten_import_state, 'ok')
        self.assertTrue(self.company.rakuten_last_order_sync)

    def test_every_page_of_new_sales_is_accepted(self):
        self.server.state.page_size = 4
        self.addCleanup(setattr, self.server.state, 'page_size', 10)
        purchases = [self.shop.add_sale([('RK-MUG', '9.50')]) for _index in range(11)]
        self._run()
        self.assertEqual({self._sale(purchase).state for purchase in purchases}, {'imported'})
        self.assertEqual(self.server.state.count('getnewsales'), 3)

    def test_relay_point_delivery(self):
        purchase = self.shop.add_sale([('RK-TEE', '19.90')], shipping_type='Point relais Mondial Relay',
                                      relay=RELAY, buyer=GAELLE)
        self._run()
        order = self._sale(purchase).order_id
        shipping = order.partner_shipping_id
        self.assertEqual(order.carrier_id, self.relay_carrier)
        self.assertEqual((shipping.name, shipping.street, shipping.zip, shipping.city),
                         ('Zoé Lefèvre – Pressing Éclair (relay point 031337)', '12 rue de l’Église', '69003', 'Lyon'))
        self.assertEqual(order.rakuten_relay_point, 'Pressing Éclair (031337)')
        self.assertEqual(shipping.parent_id, order.partner_id)

    def test_returning_buyer_is_not_duplicated(self):
        first = self.shop.add_sale([('RK-MUG', '9.50')], buyer=GAELLE)
        second = self.shop.add_sale([('RK-TEE', '19.90')], buyer=GAELLE)
        self._run()
        self.assertEqual(self._sale(first).order_id.partner_id, self._sale(second).order_id.partner_id)
        self.assertEqual(self.env['res.partner'].search_count([('rakuten_buyer_login', '=', 'gaelle-974')]), 1)
        self.assertEqual(self._sale(first).order_id.partner_shipping_id,
                         self._sale(second).order_id.partner_shipping_id)

    def test_run_again_creates_nothing_twice(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')])
        self._run()
        self._run()
        self.company.rakuten_last_order_sync = False
        self._run()
        self.assertEqual(self.env['sale.order'].search_count([('rakuten_purchase_ref', '=', purchase.purchaseid)]), 1)
        self.assertEqual(self.server.state.count('acceptsale'), 2, "each item accepted once")
        self.assertEqual(self.server.state.count('getbillinginformation'), 1)

    def test_unknown_sku_waits_in_the_attention_list_and_others_go_on(self):
        self.company.rakuten_accept_policy = 'all'  # accepted first: the SKU is checked when the order is made
        bad = self.shop.add_sale([('RK-INCONNU', '15.00')])
        good = self.shop.add_sale([('RK-MUG', '9.50')])
        self._run()
        self.assertEqual(self._sale(good).state, 'imported')
        failed = self._sale(bad)
        self.assertEqual(failed.state, 'error')
        self.assertIn('RK-INCONNU', failed.error_message)
        self.assertTrue(failed.activity_ids, "a user is asked to act")
        self.assertEqual(bad.items[0].status, const.STATUS_ACCEPTED, "accepted on Rakuten, so kept safe here")
        self._run()
        self.assertEqual(len(failed.activity_ids), 1, "no new activity at each run")
        self._product('RK-INCONNU', 'Nouveau produit', 15.0)
        self._run()
        self.assertEqual(failed.state, 'imported')
        self.assertFalse(failed.activity_ids)
        self.assertEqual(self.server.state.count('acceptsale'), 2, "retried from the stored sale")

    def test_missing_carrier_mapping_and_bad_address(self):
        self.company.rakuten_default_carrier_id = False
        unmapped = self.shop.add_sale([('RK-MUG', '9.50')], shipping_type='Recommandé')
        no_city = self.shop.add_sale([('RK-MUG', '9.50')], shipping_type='Suivi', buyer={'city': ''})
        self._run()
        self.assertIn('Recommandé', self._sale(unmapped).error_message)
        self.assertIn('incomplete', self._sale(no_city).error_message)
        self.assertFalse(self.env['sale.order'].search(
            [('rakuten_purchase_ref', 'in', [unmapped.purchaseid, no_city.purchaseid])]))

    def test_sale_accepted_in_the_back_office_is_imported(self):
        purchase = self.shop.add_sale([('RK-TEE', '19.90')], status=const.STATUS_ACCEPTED)
        self._run()
        self.assertEqual(self._sale(purchase).state, 'imported')
        self.assertEqual(self.server.state.count('acceptsale'), 0)

    def test_quota_exceeded_mid_import_then_resumed(self):
        purchases = [self.shop.add_sale([('RK-MUG', '9.50')]) for _index in range(3)]
        self.server.state.inject('quota', 'getbillinginformation', after=1, times=5)
        self._run()
        self.assertEqual(self.company.rakuten_import_state, 'failed')
        self.assertIn('quota', self.company.rakuten_import_message)
        self.assertFalse(self.company.rakuten_last_order_sync, "the sync cursor did not move")
        ids = [purchase.purchaseid for purchase in purchases]
        self.assertEqual(self.env['sale.order'].search_count([('rakuten_purchase_ref', 'in', ids)]), 1)
        self.server.state.faults.clear()
        self._run()
        orders = self.env['sale.order'].search([('rakuten_purchase_ref', 'in', ids)])
        self.assertEqual(sorted(orders.mapped('rakuten_purchase_ref')), sorted(p.purchaseid for p in purchases))
        self.assertEqual(self.company.rakuten_import_state, 'ok')

    def test_transient_errors_lose_nothing(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self.server.state.inject('http503', 'getbillinginformation', times=20)
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'accepted', "not an error for the user: tried again next run")
        self.assertFalse(sale.activity_ids)
        self.server.state.faults.clear()
        self.server.state.inject('unavailable', 'getcurrentsales', times=20)
        self._run()
        self.assertEqual(sale.state, 'imported', "imported from the stored sale")
        self.assertEqual(self.company.rakuten_import_state, 'failed')
        self.server.state.faults.clear()
        self._run()
        self.assertEqual(self.company.rakuten_import_state, 'ok')

    def test_expired_token_is_visible(self):
        self.company.rakuten_token = 'expired'
        self._run()
        self.assertEqual(self.company.rakuten_import_state, 'failed')
        self.assertIn('regenerate the token', self.company.rakuten_import_message)

    def test_concurrent_run_is_skipped(self):
        self.shop.add_sale([('RK-MUG', '9.50')])
        with self.registry.cursor() as other:
            other.execute('SELECT pg_advisory_lock(%s, %s)', (0x52414B55, self.company.id))
            self.assertFalse(self._run(), "another worker holds this company's import")
            self.assertEqual(self.server.state.calls, [])
            other.execute('SELECT pg_advisory_unlock(%s, %s)', (0x52414B55, self.company.id))
        self.assertTrue(self._run())

    @mute_logger('odoo.sql_db')
    def test_database_refuses_duplicates(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self._run()
        sale = self._sale(purchase)
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env['rakuten.sale'].create({'purchase_ref': purchase.purchaseid, 'company_id': self.company.id})
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            sale.order_id.copy({'rakuten_purchase_ref': purchase.purchaseid})
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env['rakuten.sale.item'].create({'sale_id': sale.id, 'itemid': purchase.items[0].itemid})


@tagged('post_install', '-at_install')
class TestAcceptance(RakutenShopCase):

    def test_stock_policy_names_an_unknown_sku_as_such(self):
        """No product has the SKU: the seller is told to set it, not that the stock is short."""
        purchase = self.shop.add_sale([('RK-INCONNU', '15.00'), ('RK-MUG', '9.50')], shipping_price=['4.90', '1.00'])
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'to_accept')
        self.assertIn('RK-INCONNU', sale.error_message)
        self.assertIn('SKU', sale.error_message)
        self.assertNotIn('Not enough stock', sale.error_message)
        self.assertEqual({item.status for item in purchase.items}, {const.STATUS_TO_CONFIRM}, "nothing promised")

    def test_a_sale_held_for_stock_says_what_is_short_and_accepting_it_asks_first(self):
        """Two mugs and a T-shirt, one mug in stock: the reason counts units, a salesman's Accept asks first."""
        self._set_stock(self.mug, 1)
        purchase = self._basket()
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'to_accept')
        self.assertIn('RK-MUG (2 needed, 1 available)', sale.error_message)
        self.assertNotIn('RK-TEE', sale.error_message, "the T-shirt is covered")
        self.assertTrue(sale.held_for_stock)
        arch = self.env['rakuten.sale'].get_view(view_type='form')['arch']
        self.assertIn('The stock does not cover this sale', arch, "the Accept of a held sale asks for confirmation")
        self._set_stock(self.mug, 5)
        self._run()
        self.assertEqual(sale.state, 'imported', sale.error_message)

    def test_stock_policy_accepts_what_the_stock_covers(self):
        self.assertEqual(self.company.rakuten_accept_policy, 'stock', "the shipped default")
        self._set_stock(self.mug, 2)
        self._set_stock(self.tee, 5)
        covered = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50')])
        short = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')])  # the two mugs are promised
        self._run()
        self.assertEqual(self._sale(covered).state, 'imported')
        waiting = self._sale(short)
        self.assertEqual(waiting.state, 'to_accept')
        self.assertIn('RK-MUG', waiting.error_message)
        self.assertTrue(waiting.accept_deadline > waiting.purchase_date)
        self.assertEqual(waiting.activity_ids.date_deadline, waiting.accept_deadline.date())
        waiting.action_accept()
        self.assertEqual(waiting.state, 'imported')
        self.assertFalse(waiting.activity_ids)

    def test_manual_policy_and_refusal(self):
        self.company.rakuten_accept_policy = 'manual'
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'to_accept')
        self.assertEqual(self.server.state.count('acceptsale'), 0)
        sale.action_refuse()
        self.assertEqual(sale.state, 'refused')
        self.assertEqual(purchase.items[0].status, const.STATUS_REFUSED)

    def test_sale_cancelled_before_acceptance(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self.company.rakuten_accept_policy = 'manual'
        self._run()
        purchase.items[0].status = const.STATUS_CANCELLED  # the buyer cancelled within the hour
        sale = self._sale(purchase)
        sale.action_accept()
        self.assertEqual(sale.state, 'cancelled', "Rakuten's 'already cancelled' answer is an outcome")


@tagged('post_install', '-at_install')
class TestCancellations(RakutenShopCase):

    def test_rakuten_cancellation_cancels_the_order(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')])
        self._run()
        order = self._sale(purchase).order_id
        for item in purchase.items:
            item.status = const.STATUS_CANCELLED
        self._run()
        self.assertEqual(order.state, 'cancel')
        self.assertEqual(self._sale(purchase).state, 'cancelled')

    def test_cancellation_after_shipping_raises_an_activity(self):
        self._stock(self.mug, 5)
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self._run()
        order = self._sale(purchase).order_id
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertEqual(picking.state, 'done')
        purchase.items[0].status = const.STATUS_CANCELLED
        self._run()
        self.assertEqual(order.state, 'sale')
        self.assertIn('already shipped', picking.activity_ids.note, "on the delivery that shipped it")
