from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged('post_install', '-at_install')
class TestMappings(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env['product.product'].create({'name': 'Livraison', 'type': 'service'})
        cls.colissimo = cls._carrier('Colissimo')
        cls.relay = cls._carrier('Mondial Relay')
        cls.default = cls._carrier('Standard')
        cls.env.company.rakuten_default_carrier_id = cls.default

    @classmethod
    def _carrier(cls, name, company=None):
        # A carrier's company is its delivery product's company: one product per company.
        company = company or cls.env.company
        product = cls.product if company == cls.env.company else cls.env['product.product'].create(
            {'name': f'Livraison {company.name}', 'type': 'service', 'company_id': company.id})
        return cls.env['delivery.carrier'].create({'name': name, 'product_id': product.id})

    def test_shipping_type_maps_to_carrier_else_default(self):
        Mapping = self.env['rakuten.shipping.mapping']
        Mapping.create({'name': 'Point relais Mondial Relay', 'carrier_id': self.relay.id})
        suivi = Mapping.create({'name': 'Suivi', 'carrier_id': self.colissimo.id})
        self.assertTrue(suivi.requires_tracking)
        company = self.env.company
        self.assertEqual(company._rakuten_carrier_for('Point relais Mondial Relay'), self.relay)
        self.assertEqual(company._rakuten_carrier_for('suivi '), self.colissimo)
        self.assertEqual(company._rakuten_carrier_for('Recommandé'), self.default)

    @mute_logger('odoo.sql_db')
    def test_one_line_per_shipping_type_and_company(self):
        self.env['rakuten.shipping.mapping'].create({'name': 'Normal', 'carrier_id': self.colissimo.id})
        with self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env['rakuten.shipping.mapping'].create({'name': 'Normal', 'carrier_id': self.relay.id})

    def test_a_user_never_sees_another_company_mapping(self):
        other = self.env['res.company'].create({'name': 'Autre Société'})
        other_carrier = self._carrier('Chronopost B', company=other)
        self.env['rakuten.shipping.mapping'].create(
            {'name': 'Express', 'carrier_id': other_carrier.id, 'company_id': other.id})
        mine = self.env['rakuten.shipping.mapping'].create({'name': 'Express', 'carrier_id': self.colissimo.id})
        user = new_test_user(self.env, login='rk_a_only', groups='sales_team.group_sale_manager',
                             company_id=self.env.company.id, company_ids=[self.env.company.id])
        visible = self.env['rakuten.shipping.mapping'].with_user(user).search([('name', '=', 'Express')])
        self.assertEqual(visible, mine)

    def test_other_transporter_needs_a_tracking_url(self):
        other = self.env.ref('rakuten_connector.transporter_autre')
        self.assertTrue(other.needs_url)
        with self.assertRaises(ValidationError):
            self.colissimo.rakuten_transporter_id = other
        self.colissimo.write({'rakuten_transporter_id': other.id,
                              'tracking_url': 'https://suivi.example.fr/?n=<shipmenttrackingnumber>'})
        self.assertEqual(self.colissimo._rakuten_tracking_url('AB12'), 'https://suivi.example.fr/?n=AB12')
        with self.assertRaises(ValidationError):
            self.colissimo.tracking_url = 'suivi.example.fr'
        self.assertNotIn('rakuten_tracking_url', self.colissimo._fields, "one tracking address: Odoo's")

    def test_known_transporters_are_seeded_and_editable(self):
        names = self.env['rakuten.transporter'].search([]).mapped('name')
        for name in ('Colissimo', 'Chronopost', 'Mondial Relay', 'Autre'):
            self.assertIn(name, names)
        manager = new_test_user(self.env, login='rk_manager', groups='sales_team.group_sale_manager')
        self.env['rakuten.transporter'].with_user(manager).create({'name': 'Nouveau Transporteur'})

    def test_product_sku_and_quantity_rules(self):
        product = self.env['product.product'].create({'name': 'Mug', 'default_code': 'RK-MUG'})
        self.assertEqual(product.rakuten_sku, 'RK-MUG', "the SKU defaults to the internal reference")
        product.rakuten_sku_custom = 'MUG-RAKUTEN'
        self.assertEqual(product.rakuten_sku, 'MUG-RAKUTEN')
        product.default_code = 'RK-MUG-2'
        self.assertEqual(product.rakuten_sku, 'MUG-RAKUTEN', "a custom SKU survives reference changes")
        company = self.env.company
        company.write({'rakuten_max_qty': 10, 'rakuten_max_percentage': 50, 'rakuten_end_when_qty': 2})
        self.assertEqual(product._rakuten_rules(), (10, 50, 2))
        product.write({'rakuten_custom_rules': True, 'rakuten_max_qty': 0, 'rakuten_max_percentage': 100,
                       'rakuten_end_when_qty': 0})
        self.assertEqual(product._rakuten_rules(), (0, 100, 0), "0 is a real value once overridden")
