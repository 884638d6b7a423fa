"""The unit ledger checker (tests/ledger.py): it sees each kind of misplaced unit, and nothing on a right import;
then the ledger after short sequences that broke it (each found by test_ledger_stateful)."""
from datetime import timedelta
from decimal import Decimal

from odoo.tests import new_test_user, tagged

from .common import RakutenShopCase
from .ledger import assert_ledger, violations_by_kind


class LedgerCase(RakutenShopCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colissimo.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')
        cls.company.rakuten_accept_policy = 'stock'  # the shipped default
        cls.storekeeper = new_test_user(cls.env, login='ledger_checker_storekeeper', groups='stock.group_stock_user')

    def _basket(self, units=(('RK-MUG', '8.90'), ('RK-MUG', '8.90'), ('RK-TEE', '17.50')), shipping='2.50',
                stocked=True):
        """A basket at Rakuten prices unlike the list prices (9.50, 19.90), shipping charged per unit."""
        if stocked:
            self._stock(self.mug, 5)
            self._stock(self.tee, 5)
        purchase = self.shop.add_sale(list(units), shipping_type='Suivi')
        for item in purchase.items:
            item.shipping_price = Decimal(shipping)
        return purchase

    def _kinds(self):
        return violations_by_kind(self.env, self.company, self.shop)

    def _ship(self, order):
        """A storekeeper validates the delivery, with a tracking number."""
        picking = order.picking_ids.with_user(self.storekeeper)
        picking.carrier_tracking_ref = '6A0001'
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.with_context(skip_backorder=True).button_validate()
        return picking


@tagged('post_install', '-at_install')
class TestLedger(LedgerCase):

    def test_a_right_import_keeps_the_ledger(self):
        purchase = self._basket()
        self._run()
        order = self._sale(purchase).order_id
        self.assertEqual(order.amount_total, 2 * 8.90 + 17.50 + 3 * 2.50)
        assert_ledger(self.env, self.company, self.shop)

    def test_checker_sees_wrong_prices_and_totals(self):
        purchase = self._basket()
        self._run()
        line = self._sale(purchase).order_id.order_line.filtered(lambda line: line.product_id == self.mug)
        line.price_unit = 9.50
        kinds = self._kinds()
        self.assertEqual(len(kinds['price']), 2, "both mugs are at a price the buyer did not pay")
        self.assertIn('total 44.00, the buyer paid 42.80', kinds['totals'][0])
        line.order_id.message_post(body="Le total diffère : remise accordée au client.")
        self.assertNotIn('totals', self._kinds(), "the chatter says why")

    def test_checker_sees_units_off_their_place(self):
        purchase = self._basket()
        accepted = self.shop.add_sale([('RK-TEE', '21.00')], status='ACCEPTED')
        self.assertIn('unknown to Odoo', self._kinds()['accepted'][0])
        self._run()
        self.assertEqual(self._kinds(), {})
        purchase.items[0].status = 'CANCELLED'  # not read yet: still on its line
        kinds = self._kinds()
        self.assertIn('CANCELLED on Rakuten but still on open order line', kinds['gone'][0])
        self.assertIn('carries 2 unit(s), 1 Rakuten unit(s)', kinds['lines'][0])
        self.assertTrue(kinds['totals'])
        self._sale(accepted).order_id.order_line.filtered(lambda line: not line.is_delivery).product_uom_qty = 2
        self.assertEqual(len(self._kinds()['lines']), 2)

    def test_checker_sees_despatch_never_sent_or_sent_twice(self):
        purchase = self._basket()
        self._run()
        self._ship(self._sale(purchase).order_id)
        self.assertEqual(len(self._kinds()['despatch']), 3, "validated, Rakuten not told yet")
        self.env['stock.picking']._cron_rakuten_despatch()
        self.assertEqual(self._kinds(), {})
        purchase.items[1].tracking_calls = 2
        self.assertIn('confirmed as shipped to Rakuten 2 times', self._kinds()['despatch'][0])
        purchase.items[2].status = 'CANCELLED'  # after it left: an activity must ask someone to act
        self.assertIn('after it left, and no activity', self._kinds()['gone'][0])

    def test_checker_sees_units_undecided_or_waiting_unseen(self):
        self.company.rakuten_accept_policy = 'manual'
        purchase = self._basket()
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'to_accept')
        self.assertEqual(self._kinds(), {}, "waits for a user, with an activity due by the deadline")
        sale.activity_ids.date_deadline = sale.accept_deadline.date() + timedelta(days=3)
        self.assertIn('due after the acceptance deadline', self._kinds()['to_confirm'][0])
        sale.activity_ids.unlink()
        self.assertIn('no activity', self._kinds()['to_confirm'][0])
        self.company.rakuten_accept_policy = 'stock'
        self.assertEqual(len(self._kinds()['to_confirm']), 3, "stock covers it: should have been accepted")
        self.company.rakuten_accept_policy = 'all'
        self.assertEqual(len(self._kinds()['to_confirm']), 3)


@tagged('post_install', '-at_install')
class TestLedgerSequences(LedgerCase):
    """Short sequences after which the ledger broke (test_ledger_stateful found them): each must hold."""

    def test_quiet_run_with_stock_policy_applies_cancellations(self):
        purchase = self._basket()
        self._run()
        purchase.items[2].status = 'CANCELLED'
        self._run()  # nothing new to accept
        self.assertEqual(self.company.rakuten_import_state, 'ok', self.company.rakuten_import_message)
        assert_ledger(self.env, self.company, self.shop)

    def test_one_failed_acceptance_leaves_no_unit_undecided(self):
        self.company.rakuten_accept_policy = 'all'  # not the quiet-run failure of the stock policy
        purchase = self._basket()
        self.server.state.inject('unavailable', 'acceptsale', after=1)
        self._run()
        self._run()
        self.assertEqual({item.status for item in purchase.items}, {'ACCEPTED'})
        assert_ledger(self.env, self.company, self.shop)

    def test_back_office_acceptance_of_one_unit(self):
        purchase = self._basket()
        purchase.items[0].status = 'ACCEPTED'
        self._run()
        assert_ledger(self.env, self.company, self.shop)

    def test_back_office_acceptance_leaves_the_other_units_waiting_for_a_user(self):
        self.company.rakuten_accept_policy = 'manual'
        purchase = self._basket()
        self._run()
        purchase.items[0].status = 'ACCEPTED'
        self._run()
        assert_ledger(self.env, self.company, self.shop)

    def test_cancelled_unit_takes_its_shipping_off_the_total(self):
        self.company.rakuten_accept_policy = 'all'  # not the quiet-run failure of the stock policy
        purchase = self._basket()
        self._run()
        purchase.items[2].status = 'CANCELLED'  # the tee: its whole line leaves the order
        self._run()
        assert_ledger(self.env, self.company, self.shop)

    def test_partial_cancellation_keeps_the_paid_price(self):
        purchase = self._basket(units=(('RK-MUG', '8.90'),) * 3 + (('RK-TEE', '17.50'),))
        self._run()
        purchase.items[0].status = 'CANCELLED'
        self.company.rakuten_accept_policy = 'all'  # not the quiet-run failure of the stock policy
        self._run()
        assert_ledger(self.env, self.company, self.shop)
