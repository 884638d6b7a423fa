from odoo import Command
from odoo.tests import tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import RakutenMixin

OVERSEAS = {'97110': 'GP', '97200': 'MQ', '97300': 'GF', '97400': 'RE', '97600': 'YT'}


class FrenchChartCase(RakutenMixin, AccountTestInvoicingCommon):
    """A company on Odoo's French chart of accounts (l10n_fr_account), selling on Rakuten: its products carry
    the chart's default sale tax, "20% G" (price excluded)."""

    @classmethod
    @AccountTestInvoicingCommon.setup_chart_template('fr')
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref('sales_team.group_sale_manager')
        cls.company.country_id = cls.env.ref('base.fr')
        cls.chart = cls.env['account.chart.template'].with_company(cls.company)
        cls.vat = cls.chart.ref('tva_normale')
        cls.mug = cls._rakuten_product('RK-MUG', 'Mug « Café crème »', 9.50)
        cls.tee = cls._rakuten_product('RK-TEE', 'T-shirt coton bio', 19.90)
        port = cls.env['product.product'].create({'name': 'Frais de port', 'type': 'service',
                                                  'taxes_id': [Command.set(cls.vat.ids)]})
        cls.carrier = cls.env['delivery.carrier'].create({'name': 'Colissimo', 'product_id': port.id,
                                                          'fixed_price': 1.0})
        cls.company.write({'rakuten_default_carrier_id': cls.carrier.id, 'rakuten_accept_policy': 'all',
                           'rakuten_last_order_sync': False})

    @classmethod
    def _rakuten_product(cls, sku, name, price):
        return cls.env['product.product'].create({'name': name, 'default_code': sku, 'list_price': price,
                                                  'is_storable': True, 'taxes_id': [Command.set(cls.vat.ids)]})

    def _import(self, shipping_type='Suivi', **buyer):
        buyer = {'firstname': 'Anaïs', 'lastname': 'Nguyễn', 'address1': '5 cours Napoléon', 'zipcode': '75011',
                 'city': 'Paris', **buyer}
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')], shipping_type=shipping_type,
                                      shipping_price='4.90', buyer=buyer)
        self.env['rakuten.sale']._rakuten_import(self.company)
        sale = self.env['rakuten.sale'].search([('purchase_ref', '=', purchase.purchaseid)])
        self.assertEqual(sale.state, 'imported', sale.error_message)
        return sale.order_id


@tagged('post_install', '-at_install')
class TestFrenchChart(FrenchChartCase):

    def test_the_charts_price_included_twin_is_reused(self):
        twin = self.chart.ref('tva_normale_ttc')
        self.assertFalse(twin.active, "the French chart ships it archived")
        taxes_before = self.env['account.tax'].with_context(active_test=False).search_count([])
        order = self._import()
        self.assertEqual(order.order_line.tax_ids, twin)
        self.assertTrue(twin.active, "reactivated")
        self.assertEqual(self.env['account.tax'].with_context(active_test=False).search_count([]), taxes_before,
                         "no tax of our own")
        self.assertAlmostEqual(order.amount_total, 9.50 + 19.90 + 4.90, places=2)
        self.assertEqual(order.fiscal_position_id, self.chart.ref('fiscal_position_template_domestic'))
        groups = order.tax_totals['subtotals'][0]['tax_groups']
        self.assertEqual([group['id'] for group in groups], self.vat.tax_group_id.ids, "one line: TVA 20%")
        self.assertFalse(order.message_ids.filtered(lambda message: 'differs' in (message.body or '')))

    def test_a_copy_is_made_once_when_the_chart_has_no_twin(self):
        self.chart.ref('tva_normale_ttc').unlink()
        first = self._import()
        copy = first.order_line.tax_ids
        self.assertEqual(len(copy), 1)
        self.assertEqual((copy.amount, copy.tax_scope, copy.tax_group_id, copy.price_include),
                         (20.0, 'consu', self.vat.tax_group_id, True))
        self.assertEqual(copy._rakuten_accounting(), self.vat._rakuten_accounting(), "same accounts")
        second = self._import(login='autre-acheteur')
        self.assertEqual(second.order_line.tax_ids, copy, "created once")
        self.assertAlmostEqual(second.amount_total, 34.30, places=2)

    def test_a_twin_with_other_accounts_is_not_taken(self):
        twin = self.chart.ref('tva_normale_ttc')
        other_account = self.vat.invoice_repartition_line_ids.account_id.copy({'code': '445799'})
        twin.invoice_repartition_line_ids.filtered('account_id').account_id = other_account
        order = self._import()
        self.assertNotIn(twin, order.order_line.tax_ids)
        self.assertEqual(order.order_line.tax_ids._rakuten_accounting(), self.vat._rakuten_accounting())

    def test_corsica_gets_odoos_matching_fiscal_position(self):
        order = self._import(zipcode='20000', city='Ajaccio')
        partner = order.partner_shipping_id
        self.assertEqual(partner.country_id.code, 'FR')
        self.assertEqual(order.fiscal_position_id,
                         self.env['account.fiscal.position']._get_fiscal_position(order.partner_id, partner))
        self.assertAlmostEqual(order.amount_total, 34.30, places=2, msg="what the buyer paid")

    def test_overseas_departments_get_the_dom_tom_fiscal_position(self):
        dom_tom = self.chart.ref('fiscal_position_template_import_export')
        for zipcode, code in OVERSEAS.items():
            with self.subTest(zipcode=zipcode):
                order = self._import(zipcode=zipcode, city='Ville', login=f'acheteur-{zipcode}')
                self.assertEqual(order.partner_shipping_id.country_id.code, code)
                self.assertEqual(order.fiscal_position_id, dom_tom)
                self.assertEqual(order.order_line.tax_ids, self.chart.ref('tva_sale_good_export_0'))
                self.assertAlmostEqual(order.amount_total, 34.30, places=2, msg="what the buyer paid")

    def test_a_total_that_differs_says_why(self):
        ecotax = self.env['account.tax'].create({'name': 'Éco-participation', 'amount_type': 'fixed', 'amount': 0.5,
                                                 'type_tax_use': 'sale', 'company_id': self.company.id})
        self.mug.taxes_id |= ecotax
        order = self._import()
        bodies = ''.join(order.message_ids.mapped('body'))
        self.assertIn("differs from what the buyer paid on Rakuten (34.30&nbsp;€)", bodies)
        self.assertIn("check the taxes of its products", bodies)
        self.assertNotIn("fiscal position", bodies, "the domestic one changes nothing")
        order = self._import(zipcode='97400', city='Saint-Denis', login='acheteur-974')
        self.assertIn("the fiscal position Import/Export", ''.join(order.message_ids.mapped('body')))


@tagged('post_install', '-at_install')
class TestShippingPaid(FrenchChartCase):
    """The shipping line of a Rakuten order is what the buyer paid, whatever Odoo's carrier says."""

    def test_update_shipping_cost_keeps_what_the_buyer_paid(self):
        order = self._import()
        with self.assertRaisesRegex(Exception, 'what the buyer paid'):
            order.with_context(carrier_recompute=True).action_open_delivery_wizard()
        order.set_delivery_line(self.carrier, 1.0)  # what the wizard does with the carrier's rate
        self.assertEqual(order.order_line.filtered('is_delivery').price_unit, 4.90)
        self.assertAlmostEqual(order.amount_total, 34.30, places=2)

    def test_carrier_invoicing_real_cost_does_not_zero_the_line(self):
        self.carrier.invoice_policy = 'real'
        order = self._import()
        self.assertEqual(order.order_line.filtered('is_delivery').price_unit, 4.90)

    def test_validating_a_fixed_price_delivery_posts_no_shipment_nor_cost(self):
        order = self._import(shipping_type='Normal')  # untracked: validated without a tracking number
        self.env['stock.quant']._update_available_quantity(self.mug, order.warehouse_id.lot_stock_id, 5)
        self.env['stock.quant']._update_available_quantity(self.tee, order.warehouse_id.lot_stock_id, 5)
        picking = order.picking_ids
        picking.action_assign()
        picking.move_ids.quantity = 1
        picking.with_context(skip_backorder=True).button_validate()
        self.assertEqual(picking.state, 'done')
        bodies = ''.join(picking.message_ids.mapped('body'))
        self.assertNotIn('tracking number False', bodies)
        self.assertNotIn('Cost: 1.00', bodies)
        self.assertEqual(order.order_line.filtered('is_delivery').price_unit, 4.90)
