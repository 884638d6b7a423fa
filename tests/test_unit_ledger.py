"""Every Rakuten unit in one right place, on the shipped default settings (acceptance when the stock covers the
sale): quiet runs, baskets decided whole, units cancelled or accepted late, and the amounts of the order (the
price each unit was paid, the shipping Rakuten bills per unit)."""
from decimal import Decimal

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..rakuten_connector import const
from .common import RakutenShopCase


@tagged('post_install', '-at_install')
class TestUnitLedger(RakutenShopCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, login='ledger_salesman',
                                     groups='sales_team.group_sale_salesman_all_leads')

    def _lines(self, order):
        """{(SKU, price paid): quantity} of the order's product lines (the shipping line apart)."""
        return {(line.product_id.default_code, line.price_unit): line.product_uom_qty
                for line in order.order_line.filtered(lambda line: not line.is_delivery)}

    def _shipping(self, order):
        return order.order_line.filtered('is_delivery').price_unit

    def _notes(self, order, text):
        return order.message_ids.filtered(lambda message: text in (message.body or ''))

    # --- Acceptance ---------------------------------------------------------------------------------

    def test_default_policy_quiet_run_still_follows_orders(self):
        """Nothing new to decide on the default policy: the run goes on to the cancellations."""
        self.assertEqual(self.company.rakuten_accept_policy, 'stock', "the shipped default")
        purchase = self._basket()
        self._run()
        order = self._sale(purchase).order_id
        self.assertEqual(order.state, 'sale')
        purchase.items[2].status = const.STATUS_CANCELLED  # the T-shirt, on Rakuten, with no new sale
        self._run()
        self.assertEqual(self.company.rakuten_import_state, 'ok', self.company.rakuten_import_message)
        self.assertEqual(self._lines(order), {('RK-MUG', 9.50): 2, ('RK-TEE', 19.90): 0})

    def test_basket_with_one_failed_acceptance_waits_whole_then_is_imported_whole(self):
        purchase = self._basket()
        self.server.state.inject('unavailable', 'acceptsale', times=1)
        self._run()
        sale = self._sale(purchase)
        statuses = sorted(item.status for item in purchase.items)
        self.assertEqual(statuses, [const.STATUS_ACCEPTED, const.STATUS_ACCEPTED, const.STATUS_TO_CONFIRM])
        self.assertFalse(sale.order_id, "never imported while one of its units waits")
        self.assertEqual(sorted(sale.item_ids.mapped('status')), statuses, "what Rakuten did is recorded")
        self._run()
        self.assertEqual({item.status for item in purchase.items}, {const.STATUS_ACCEPTED})
        self.assertEqual(self._lines(sale.order_id), {('RK-MUG', 9.50): 2, ('RK-TEE', 19.90): 1})
        self.assertEqual(self.server.state.count('acceptsale'), 4, "the failed unit alone was tried again")

    def test_units_accepted_in_the_back_office_do_not_import_half_a_basket(self):
        self.company.rakuten_accept_policy = 'manual'
        purchase = self._basket()
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'to_accept')
        purchase.items[0].status = const.STATUS_ACCEPTED  # the seller accepted one mug on Rakuten's site
        self._run()
        self.assertEqual(sale.state, 'to_accept', "two units still wait for the seller")
        self.assertFalse(sale.order_id)
        result = sale.with_user(self.salesman).action_accept()
        self.assertIs(result, True, (result, sale.state, sale.error_message))
        self.assertEqual({item.status for item in purchase.items}, {const.STATUS_ACCEPTED})
        self.assertEqual(sale.item_ids.mapped('status'), [const.STATUS_ACCEPTED] * 3)
        self.assertEqual(self._lines(sale.order_id), {('RK-MUG', 9.50): 2, ('RK-TEE', 19.90): 1})
        self.assertEqual(self.server.state.count('acceptsale'), 2, "the unit accepted on Rakuten is not sent")

    def test_a_short_unit_accepted_in_the_back_office_lets_the_basket_be_decided_in_the_same_run(self):
        """Found by the stateful test: the seller accepts on Rakuten the unit the stock did not cover; the very
        next run accepts the rest (covered) and imports the basket."""
        self._set_stock(self.tee, 0)
        purchase = self.shop.add_sale([('RK-TEE', '19.90'), ('RK-MUG', '9.50')], shipping_price=['2.00', '4.90'])
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'to_accept')
        purchase.items[0].status = const.STATUS_ACCEPTED
        self._run()
        self.assertEqual({item.status for item in purchase.items}, {const.STATUS_ACCEPTED})
        self.assertEqual(self._lines(sale.order_id), {('RK-MUG', 9.50): 1, ('RK-TEE', 19.90): 1})

    def test_stock_policy_counts_the_units_accepted_of_a_waiting_basket(self):
        """Units of a basket accepted while another waits are promised: the next sale does not get them."""
        self.env['stock.quant']._update_available_quantity(self.mug, self.warehouse.lot_stock_id, 2 - self.STOCK)
        first = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')],
                                   shipping_price=['4.90', '1.50', '2.00'])
        self.server.state.inject('unavailable', 'acceptsale', times=1)  # one unit waits after the whole run
        self._run()
        self.assertFalse(self._sale(first).order_id)
        second = self.shop.add_sale([('RK-MUG', '9.50')], shipping_price=['3.90'])
        self._run()
        self.assertEqual(self._sale(second).state, 'to_accept', "both mugs are promised to the first basket")
        self.assertEqual(second.items[0].status, const.STATUS_TO_CONFIRM)

    def test_unit_accepted_after_the_order_joins_it(self):
        purchase = self._basket(status=const.STATUS_ACCEPTED)
        purchase.items[2].status = 'ON_HOLD'  # the T-shirt is under a claim when the order is made
        self._run()
        sale = self._sale(purchase)
        order = sale.order_id
        self.assertEqual(self._lines(order), {('RK-MUG', 9.50): 2})
        self.assertAlmostEqual(self._shipping(order), 6.40, places=2)
        purchase.items[2].status = const.STATUS_ACCEPTED  # settled: ship it
        self._run()
        self.assertEqual(self._lines(order), {('RK-MUG', 9.50): 2, ('RK-TEE', 19.90): 1})
        self.assertAlmostEqual(self._shipping(order), 8.40, places=2)
        self.assertAlmostEqual(order.amount_total, 9.50 * 2 + 19.90 + 8.40, places=2)
        tee_moves = order.picking_ids.move_ids.filtered(lambda move: move.product_id == self.tee)
        self.assertEqual(sum(tee_moves.mapped('product_uom_qty')), 1, "the delivery ships it")
        self.assertTrue(self._notes(order, 'RK-TEE'), "the chatter says the unit joined")
        self._run()
        self.assertEqual(self._lines(order)[('RK-TEE', 19.90)], 1, "joined once")

    # --- Amounts ------------------------------------------------------------------------------------

    def test_order_lines_at_the_price_paid_with_the_shipping_of_every_unit(self):
        purchase = self._basket()
        self._run()
        order = self._sale(purchase).order_id
        self.assertEqual(self._lines(order), {('RK-MUG', 9.50): 2, ('RK-TEE', 19.90): 1})
        self.assertAlmostEqual(self._shipping(order), 8.40, places=2)
        self.assertAlmostEqual(order.amount_total, 47.30, places=2)

    def test_partial_cancellation_keeps_the_price_paid_and_refunds_its_shipping(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50')] * 3 + [('RK-TEE', '19.90')],
                                      shipping_price=['4.90', '1.50', '1.50', '2.00'], shipping_type='Suivi')
        self._run()
        order = self._sale(purchase).order_id
        self.assertAlmostEqual(order.amount_total, 9.50 * 3 + 19.90 + 9.90, places=2)
        purchase.items[1].status = const.STATUS_CANCELLED
        self._run()
        self.assertEqual(self._lines(order), {('RK-MUG', 9.50): 2, ('RK-TEE', 19.90): 1},
                         "2 mugs at the 9.50 paid, not at the 8.10 list price")
        self.assertAlmostEqual(self._shipping(order), 8.40, places=2, msg="the cancelled unit's shipping refunded")
        self.assertAlmostEqual(order.amount_total, 9.50 * 2 + 19.90 + 8.40, places=2)
        self.assertFalse(self._notes(order, '(57.30)') | self._notes(order, '57,30'), "the total is right: no note")
        mug_moves = order.picking_ids.move_ids.filtered(lambda move: move.product_id == self.mug)
        self.assertEqual(sum(mug_moves.filtered(lambda move: move.state != 'cancel').mapped('product_uom_qty')), 2)

    def test_cancellation_after_shipping_says_the_total_no_longer_matches(self):
        purchase = self._basket()
        self._run()
        order = self._sale(purchase).order_id
        picking = order.picking_ids
        picking.carrier_tracking_ref = '6A12345678901'
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        self.assertEqual(picking.state, 'done')
        purchase.items[2].status = const.STATUS_CANCELLED  # the T-shirt, after it left
        self._run()
        self.assertEqual(self._lines(order)[('RK-TEE', 19.90)], 1, "it left: it stays on the order")
        self.assertEqual(len(self._notes(order, 'RK-TEE')), 1, "the chatter says why the total differs")
        self._run()
        self.assertEqual(len(self._notes(order, 'RK-TEE')), 1, "said once")

    def test_shipping_counts_only_the_units_imported(self):
        purchase = self._basket(status=const.STATUS_ACCEPTED)
        purchase.items[2].status = const.STATUS_CANCELLED  # cancelled before the import: 2.00 of shipping refunded
        self._run()
        order = self._sale(purchase).order_id
        self.assertEqual(self._lines(order), {('RK-MUG', 9.50): 2})
        self.assertAlmostEqual(self._shipping(order), 6.40, places=2)
        self.assertAlmostEqual(order.amount_total, 25.40, places=2)
        self.assertFalse(self._notes(order, 'differs'), "no warning: the order is what Rakuten pays")

    @mute_logger('odoo.addons.rakuten_connector.models.rakuten_sale')
    def test_unreadable_unit_price_waits_with_a_reason(self):
        purchase = self._basket()
        purchase.items[1].price = Decimal('NaN')  # Rakuten's answer holds no readable amount for this unit
        self._run()
        sale = self._sale(purchase)
        self.assertFalse(sale.order_id, "never a 0 € line")
        self.assertEqual(sale.state, 'error')
        self.assertIn(purchase.items[1].itemid, sale.error_message)
        self.assertTrue(sale.activity_ids)
        sale.with_user(self.salesman).action_retry()
        self.assertFalse(sale.order_id, "retried from what Rakuten sent: still no price")
        purchase.items[1].price = Decimal('9.50')  # readable at a later run
        self._run()
        self.assertEqual(self._lines(sale.order_id), {('RK-MUG', 9.50): 2, ('RK-TEE', 19.90): 1})

    @mute_logger('odoo.addons.rakuten_connector.models.rakuten_sale')
    def test_unreadable_shipping_waits_with_a_reason(self):
        purchase = self._basket()
        purchase.items[2].shipping_price = Decimal('NaN')  # Rakuten's billing holds no readable amount for it
        self._run()
        sale = self._sale(purchase)
        self.assertFalse(sale.order_id, "never an order with a shipping guessed at 0")
        self.assertEqual(sale.state, 'error')
        self.assertIn(purchase.items[2].itemid, sale.error_message)
        purchase.items[2].shipping_price = Decimal('2.00')
        self._run()
        self.assertAlmostEqual(self._shipping(sale.order_id), 8.40, places=2)
