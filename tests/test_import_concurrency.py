from odoo.tests import tagged

from ..rakuten_connector import const
from .common import RakutenShopCase


@tagged('post_install', '-at_install')
class TestImportConcurrency(RakutenShopCase):
    """Acceptances and billing reads of a run overlap (bounded pool); the database work stays in the job."""

    def setUp(self):
        super().setUp()
        self.server.state.latency = 0.03  # a network round trip per call: waits that can overlap

    def test_calls_overlap_within_the_configured_bound(self):
        self._set_workers(4)
        purchases = [self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')], shipping_price='4.90')
                     for _index in range(6)]
        self.assertTrue(self._run())
        self.assertEqual({self._sale(purchase).state for purchase in purchases}, {'imported'})
        self.assertEqual(self.server.state.count('acceptsale'), 12)  # one call per unit, never twice
        self.assertEqual(self.server.state.count('getbillinginformation'), 6)
        self.assertTrue(1 < self.server.state.max_in_flight <= 4)
        orders = self.env['sale.order'].search([('rakuten_sale_id', 'in', [self._sale(p).id for p in purchases])])
        self.assertEqual(len(orders), 6)
        self.assertEqual(set(orders.mapped('amount_total')), {34.3})

    def test_one_worker_calls_one_at_a_time(self):
        self._set_workers(1)
        purchase = self.shop.add_sale([('RK-MUG', '9.50')] * 3)
        self._run()
        self.assertEqual(self._sale(purchase).state, 'imported')
        self.assertEqual(self.server.state.max_in_flight, 1)

    def test_quota_during_acceptances_stops_cleanly_and_the_next_run_finishes(self):
        self._set_workers(3)
        purchases = [self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50')]) for _index in range(5)]
        self.server.state.inject('quota', 'acceptsale', times=100, after=4)
        self._run()
        self.assertEqual(self.company.rakuten_import_state, 'failed')
        self.assertIn('quota', self.company.rakuten_import_message.lower())
        accepted_on_rakuten = {item.itemid for purchase in purchases for item in purchase.items
                               if item.status == const.STATUS_ACCEPTED}
        self.assertTrue(accepted_on_rakuten, "the calls made before the quota answer were applied by Rakuten")
        for purchase in purchases:  # a sale is accepted in Odoo only when all its units were
            sale = self._sale(purchase)
            odoo_accepted = set(sale.item_ids.filtered(lambda item: item.status == const.STATUS_ACCEPTED)
                                .mapped('itemid'))
            self.assertTrue(odoo_accepted <= accepted_on_rakuten)
            if sale.state in ('accepted', 'imported'):
                self.assertEqual(odoo_accepted, {item.itemid for item in purchase.items})
        self.server.state.faults.clear()
        self._run()
        self.assertEqual(self.company.rakuten_import_state, 'ok')
        self.assertEqual({self._sale(purchase).state for purchase in purchases}, {'imported'})
        orders = self.env['sale.order'].search([('rakuten_sale_id', 'in', [self._sale(p).id for p in purchases])])
        self.assertEqual(len(orders), 5)  # no duplicate, none lost
        self.assertEqual(orders.order_line.filtered(lambda line: not line.is_delivery).mapped('product_uom_qty'),
                         [2.0] * 5)

    def test_quota_during_billing_reads_keeps_the_orders_already_possible(self):
        self._set_workers(2)
        purchases = [self.shop.add_sale([('RK-TEE', '19.90')], shipping_price='3.00') for _index in range(4)]
        self.server.state.inject('quota', 'getbillinginformation', times=100, after=2)
        self._run()
        self.assertEqual(self.company.rakuten_import_state, 'failed')
        imported = [purchase for purchase in purchases if self._sale(purchase).state == 'imported']
        self.assertTrue(imported and len(imported) < 4)
        for purchase in imported:
            self.assertAlmostEqual(self._sale(purchase).order_id.amount_total, 22.90, places=2)
        self.server.state.faults.clear()
        self._run()
        self.assertEqual({self._sale(purchase).state for purchase in purchases}, {'imported'})
        self.assertEqual(self.server.state.count('acceptsale'), 4)

    def test_one_failed_acceptance_isolates_its_sale_only(self):
        self._set_workers(4)
        good = [self.shop.add_sale([('RK-MUG', '9.50')]) for _index in range(3)]
        bad = self.shop.add_sale([('RK-TEE', '19.90'), ('RK-TEE', '19.90')])
        self.server.state.inject('parameter', 'acceptsale', times=1, after=0)
        self._run()
        states = [self._sale(purchase).state for purchase in [*good, bad]]
        self.assertEqual(states.count('imported'), 3)
        self.assertEqual(states.count('error'), 1)
        failed = self.env['rakuten.sale'].search([('purchase_ref', 'in', [p.purchaseid for p in [*good, bad]]),
                                                  ('state', '=', 'error')])
        self.assertTrue(failed.error_message)
        self.assertTrue(failed.activity_ids)
        self._run()  # retried at the next run
        self.assertEqual({self._sale(purchase).state for purchase in [*good, bad]}, {'imported'})

    def test_manual_refusal_keeps_what_rakuten_did_when_one_call_fails(self):
        self.company.rakuten_accept_policy = 'manual'
        purchases = [self.shop.add_sale([('RK-MUG', '9.50')]) for _index in range(3)]
        self._run()
        sales = self.env['rakuten.sale'].browse([self._sale(purchase).id for purchase in purchases])
        self.assertEqual(set(sales.mapped('state')), {'to_accept'})
        self.server.state.inject('parameter', 'refusesale', times=1)
        action = sales.action_refuse()
        refused_on_rakuten = [purchase for purchase in purchases if purchase.items[0].status == const.STATUS_REFUSED]
        self.assertEqual(len(refused_on_rakuten), 2)
        for purchase in purchases:
            sale = self._sale(purchase)
            if purchase in refused_on_rakuten:
                self.assertEqual(sale.state, 'refused', "what Rakuten did is never undone")
            else:
                self.assertEqual(sale.state, 'error')
                self.assertTrue(sale.error_message and sale.activity_ids)
                self.assertIn(sale.purchase_ref, action['params']['message'])
        self.assertEqual(action['params']['type'], 'warning')
