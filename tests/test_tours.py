from odoo.tests import tagged

from .common import RakutenHttpCase


@tagged('post_install', '-at_install')
class TestTours(RakutenHttpCase):

    def test_settings_tour_with_test_connection(self):
        self.company.write({'rakuten_enabled': False, 'rakuten_login': False, 'rakuten_token': False})
        self.start_tour('/odoo/settings#sale_management', 'rakuten_settings_tour', login='admin', timeout=120)
        self.assertEqual(self.company.rakuten_login, self.shop.login)
        self.assertEqual(self.company.rakuten_connection_state, 'connected')
        self.assertEqual(self.company.rakuten_seller_id, self.shop.seller_id)

    def test_shipping_mapping_list(self):
        product = self.env['product.product'].create({'name': 'Port', 'type': 'service'})
        carrier = self.env['delivery.carrier'].create({'name': 'Colissimo Tour', 'product_id': product.id})
        self.start_tour('/odoo/action-rakuten_connector.action_rakuten_shipping_mapping',
                        'rakuten_shipping_mapping_tour', login='admin', timeout=120)
        mapping = self.env['rakuten.shipping.mapping'].search([('name', '=', 'Suivi')])
        self.assertEqual(mapping.carrier_id, carrier)
        self.assertTrue(mapping.requires_tracking)
