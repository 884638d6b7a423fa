"""Orders and buyers of a run are created by batches: one create of the buyers, one of the orders and one
confirmation per batch, with the same result as sale by sale; a bad sale keeps its reason and never stops its
batch."""
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.rakuten_sale import ORDER_BATCH
from .common import RakutenShopCase
from .test_order_import import GAELLE, RELAY

MUTE_UNEXPECTED = ('odoo.sql_db', 'odoo.addons.rakuten_connector.models.rakuten_sale')


@tagged('post_install', '-at_install')
class TestBatchImport(RakutenShopCase):

    def _basket_set(self, prefix):
        """Sales of every shape, buyers named after ``prefix``: one buyer twice (home, then a relay point), one
        buyer twice at the same address, a buyer whose delivery address is not the billing one, three baskets
        of one unit."""
        gaelle = dict(GAELLE, login=f'{prefix}-gaelle')
        marc = {'firstname': 'Marc', 'lastname': f'Ollivier {prefix}', 'login': f'{prefix}-marc'}
        return [
            self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')], shipping_type='Suivi',
                               shipping_price='4.90', buyer=gaelle),
            self.shop.add_sale([('RK-TEE', '19.90')], shipping_type='Point relais Mondial Relay', relay=RELAY,
                               shipping_price='3.50', buyer=gaelle),
            self.shop.add_sale([('RK-MUG', '9.50')], buyer=marc),
            self.shop.add_sale([('RK-TEE', '19.90'), ('RK-MUG', '8.00')], shipping_price='2.00', buyer=marc),
            *(self.shop.add_sale([('RK-MUG', '9.50')], buyer={'lastname': f'Client {prefix} {index}'})
              for index in range(3)),
        ]

    def _shape(self, purchase, prefix):
        """What an imported sale became, with the buyer prefix taken out of names."""
        order = self._sale(purchase).order_id
        partner = order.partner_id
        shipping = order.partner_shipping_id

        def name(partner):
            return (partner.name or '').lower().replace(prefix, '*')

        return {
            'state': (self._sale(purchase).state, order.state),
            'customer': (name(partner), partner.street, partner.zip, partner.country_id.code, partner.lang,
                         partner.company_id, partner.email.replace(prefix, '*')),
            'delivery': (name(shipping), shipping.street, shipping.zip, shipping.country_id.code, shipping.type,
                         shipping == partner, shipping.parent_id == partner or shipping == partner),
            'lines': sorted((line.product_id.default_code or line.product_id.name, line.product_uom_qty,
                             line.price_unit, tuple(line.tax_ids.mapped('name')), line.is_delivery, line.price_total)
                            for line in order.order_line),
            'units': sorted((item.sku, item.order_line_id.product_id.default_code) for item in
                            self._sale(purchase).item_ids),
            'totals': (order.amount_untaxed, order.amount_tax, order.amount_total, order.carrier_id.name,
                       order.date_order == self._sale(purchase).purchase_date, order.warehouse_id),
            'pickings': [(picking.picking_type_id, picking.location_id, picking.location_dest_id,
                          picking.partner_id == shipping, picking.state, picking.origin == order.name,
                          sorted((move.product_id.default_code, move.product_uom_qty,
                                  move.sale_line_id.order_id == order, move.reference_ids.sale_ids == order)
                                 for move in picking.move_ids))
                         for picking in order.picking_ids],
            'chatter': sorted(str(body).replace(purchase.purchaseid, '*').replace(
                f'data-oe-id="{self._sale(purchase).id}"', 'data-oe-id="*"')  # the link to the Rakuten sale
                for body in order.message_ids.mapped('body') if 'Rakuten' in (body or '')),
        }

    def _run_counting_order_creates(self):
        """Run an import; return how many orders each ``sale.order.create`` call made."""
        SaleOrder = type(self.env['sale.order'])
        create, sizes = SaleOrder.create, []

        def counted(records, vals_list):
            sizes.append(len(vals_list) if isinstance(vals_list, list) else 1)
            return create(records, vals_list)

        with patch.object(SaleOrder, 'create', counted):
            self._run()
        return sizes

    @mute_logger(*MUTE_UNEXPECTED)
    def test_batch_gives_the_result_of_one_sale_at_a_time(self):
        in_batch = self._basket_set('zzb')
        self.assertEqual(self._run_counting_order_creates(), [7], "the 7 orders made by one create")
        # The same sales again, with a sale the database refuses among them (an order typed by hand already has
        # its purchase id): the batch fails at creation and its sales are done again one at a time.
        one_by_one = self._basket_set('zzs')
        refused = self.shop.add_sale([('RK-MUG', '9.50')])
        self.env['sale.order'].create({'partner_id': self.env.user.partner_id.id,
                                       'rakuten_purchase_ref': refused.purchaseid})
        sizes = self._run_counting_order_creates()
        self.assertEqual(sizes[:1], [8], "the batch was tried")
        self.assertEqual(sizes[1:9], [1] * 8, "then its sales one at a time")
        self.assertEqual(self._sale(refused).state, 'error')
        for batch, single in zip(in_batch, one_by_one, strict=True):
            self.assertEqual(self._shape(batch, 'zzb'), self._shape(single, 'zzs'))
        orders = self._sale(in_batch[0]).order_id | self._sale(in_batch[1]).order_id
        self.assertEqual(len(orders.partner_id), 1, "a buyer met twice in a batch is created once")
        self.assertEqual(len(orders.partner_shipping_id), 2, "home, then the relay point")
        marc = self._sale(in_batch[2]).order_id | self._sale(in_batch[3]).order_id
        self.assertEqual(len(marc.partner_id | marc.partner_shipping_id), 1)
        for prefix in ('zzb', 'zzs'):
            self.assertEqual(self.env['res.partner'].search_count([('rakuten_buyer_login', '=like', f'{prefix}-%')]), 2)

        def numbering(purchases):
            names = [self._sale(purchase).order_id.name for purchase in purchases]
            return sorted(range(len(names)), key=names.__getitem__)

        self.assertEqual(numbering(in_batch), numbering(one_by_one), "orders numbered in the same order")

    def test_bad_sales_keep_their_reason_and_the_others_are_imported_together(self):
        self.company.rakuten_accept_policy = 'all'  # accepted first: the SKU is checked when the order is made
        good = [self.shop.add_sale([('RK-MUG', '9.50')], buyer={'lastname': f'Client {index}'})
                for index in range(10)]
        unknown = self.shop.add_sale([('RK-INCONNU', '15.00')])
        no_city = self.shop.add_sale([('RK-TEE', '19.90')], buyer={'lastname': 'Sans ville', 'city': ''})
        self._run()
        self.assertEqual({self._sale(purchase).state for purchase in good}, {'imported'})
        self.assertIn('RK-INCONNU', self._sale(unknown).error_message)
        self.assertIn('incomplete', self._sale(no_city).error_message)
        for purchase in (unknown, no_city):
            sale = self._sale(purchase)
            self.assertEqual((sale.state, sale.order_id.id), ('error', False))
            self.assertTrue(sale.activity_ids, "a user is asked to act")
        self.assertFalse(self.env['res.partner'].search([('name', 'ilike', 'Sans ville')]), "no buyer left behind")
        self.assertEqual(self.company.rakuten_import_state, 'ok')
        fixed = self._product('RK-INCONNU', 'Nouveau produit', 15.0)
        self._run()
        self.assertEqual(self._sale(unknown).order_id.order_line.product_id[:1], fixed)

    def test_queries_grow_less_per_sale_than_one_at_a_time(self):
        """Database round trips per extra sale, batch vs the one-at-a-time path (the same sales, forced one at
        a time by calling it for each sale)."""
        def queries(count, one_at_a_time):
            purchases = [self.shop.add_sale([('RK-MUG', '9.50')], buyer={'lastname': f'Q{count}{one_at_a_time} {i}'})
                         for i in range(count)]
            self.server.state.inject('parameter', 'getbillinginformation', times=1000)
            self._run()  # accepted and stored, no order yet
            self.server.state.faults.clear()
            sales = self.env['rakuten.sale'].search([('purchase_ref', 'in', [p.purchaseid for p in purchases])])
            client = self.company._rakuten_client()
            with client.calls_under_way(client.get_billing_information, sales.mapped('purchase_ref')) as billing:
                sales._rakuten_apply_billing(billing)
            self.env.flush_all()
            before = self.cr.sql_log_count
            if one_at_a_time:
                for sale in sales:
                    sale._rakuten_create_orders(client, {'RK-MUG': self.mug})
            else:
                sales._rakuten_create_orders(client, {'RK-MUG': self.mug})
            self.env.flush_all()
            self.assertEqual(set(sales.mapped('state')), {'imported'})
            return self.cr.sql_log_count - before

        batch = (queries(30, False) - queries(10, False)) / 20
        single = (queries(30, True) - queries(10, True)) / 20
        self.assertLess(batch, 0.5 * single, f"{batch:.1f} queries per sale in batch, {single:.1f} one at a time")
        self.assertGreaterEqual(ORDER_BATCH, 30, "the 30 sales above were one batch")
