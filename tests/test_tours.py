from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import RakutenHttpCase
from .test_french import HELOISE, RELAY, french_company


@tagged('post_install', '-at_install')
class TestTours(RakutenHttpCase):

    def test_settings_tour_with_test_connection(self):
        self.company.write({'rakuten_enabled': False, 'rakuten_login': False, 'rakuten_token': False})
        self.start_tour('/odoo/settings#sale_management', 'rakuten_settings_tour', login='admin', timeout=120)
        self.assertEqual(self.company.rakuten_login, self.shop.login)
        self.assertEqual(self.company.rakuten_connection_state, 'connected')
        self.assertEqual(self.company.rakuten_seller_ref, self.shop.seller_id)

    def test_shipping_mapping_list(self):
        product = self.env['product.product'].create({'name': 'Port', 'type': 'service'})
        carrier = self.env['delivery.carrier'].create({'name': 'Colissimo Tour', 'product_id': product.id})
        self.start_tour('/odoo/action-rakuten_connector.action_rakuten_shipping_mapping',
                        'rakuten_shipping_mapping_tour', login='admin', timeout=120)
        mapping = self.env['rakuten.shipping.mapping'].search([('name', '=', 'Suivi')])
        self.assertEqual(mapping.carrier_id, carrier)
        self.assertTrue(mapping.requires_tracking)


@tagged('post_install', '-at_install')
class TestFrenchTours(RakutenHttpCase):
    """The administrator works in French; the company's partner speaks French; the jobs run as OdooBot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot = french_company(cls.env, cls.company)
        cls.env.ref('base.user_admin').lang = 'fr_FR'
        cls.env.ref('base.EUR').active = True
        cls.company.currency_id = cls.env.ref('base.EUR')
        port = cls.env['product.product'].create({'name': 'Frais de port', 'type': 'service'})
        carrier = cls.env['delivery.carrier'].create({'name': 'Mondial Relay', 'product_id': port.id})
        cls.env['product.product'].search([]).rakuten_sync = False
        cls.tee = cls.env['product.product'].create({'name': 'T-shirt', 'default_code': 'RK-TEE',
                                                     'list_price': 19.90, 'is_storable': True})
        cls.company.write({'rakuten_default_carrier_id': carrier.id, 'rakuten_last_order_sync': False,
                           'rakuten_stock_sync': True})

    def test_reason_written_by_the_job_reads_in_french(self):
        self.company.rakuten_accept_policy = 'manual'
        self.shop.add_sale([('RK-TEE', '19.90')], buyer=HELOISE)
        self.bot['rakuten.sale']._cron_import()
        self.start_tour('/odoo/action-rakuten_connector.action_rakuten_sale', 'rakuten_french_sales_tour',
                        login='admin', timeout=120)

    def test_relay_delivery_contact(self):
        self.company.rakuten_accept_policy = 'all'
        purchase = self.shop.add_sale([('RK-TEE', '19.90')], shipping_type='Point relais Mondial Relay',
                                      relay=RELAY, buyer=HELOISE)
        self.bot['rakuten.sale']._cron_import()
        order = self.env['rakuten.sale'].search([('purchase_ref', '=', purchase.purchaseid)]).order_id
        self.assertTrue(order)
        self.start_tour(f'/odoo/action-sale.action_orders/{order.id}', 'rakuten_french_relay_tour',
                        login='admin', timeout=120)

    def test_settings_buttons_show_their_results_in_the_section(self):
        self.company.rakuten_accept_policy = 'all'
        self.shop.add_sale([('RK-TEE', '19.90')], buyer=HELOISE)
        self.tee.rakuten_sync = True
        self.start_tour('/odoo/settings#rakuten_orders', 'rakuten_french_settings_tour', login='admin',
                        timeout=180)
        self.assertEqual(self.company.rakuten_connection_state, 'connected')

    def test_prices_never_sent_read_empty_not_zero(self):
        self.company.rakuten_price_sync = True
        manager = new_test_user(self.env, login='rk_fr_price_manager',
                                groups='sales_team.group_sale_manager,product.group_product_manager',
                                lang='fr_FR', company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        self.start_tour(f'/odoo/action-product.product_normal_action_sell/{self.tee.id}', 'rakuten_unset_price_tour',
                        login=manager.login, timeout=120)
        self.assertEqual(self.tee.rakuten_fixed_price, 24.90, "typed in French, in the empty field")
        self.assertEqual(self.tee.rakuten_min_price, 0.0, "left empty: no floor of its own")
