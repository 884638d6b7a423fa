"""Seller-side cancellations reach Rakuten: cancelling a Rakuten order or lowering a line asks, in one dialog,
whether to cancel the units on Rakuten too; the call is recorded before it is made and checked after, never made
twice for a unit; an answer lost is read back from Rakuten."""
from datetime import datetime, timedelta, timezone

from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..rakuten_connector import const, deadlines
from .common import RakutenShopCase


@tagged('post_install', '-at_install')
class TestSellerCancel(RakutenShopCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A shop's salesman also sees the stock (Odoo itself needs it to cancel the deliveries of an order).
        cls.salesman = new_test_user(cls.env, login='rk_cancel_salesman',
                                     groups='sales_team.group_sale_salesman_all_leads,stock.group_stock_user')

    def setUp(self):
        super().setUp()
        self.purchase = self._basket()
        self._run()
        self.sale = self._sale(self.purchase)
        self.order = self.sale.order_id
        self.assertEqual(self.order.state, 'sale')

    def _cancel_job(self):
        self.env['rakuten.sale.item']._cron_rakuten_cancel()

    def _dialog(self, action, as_user=None):
        """The dialog an action opened, filled as the user saw it, and saved."""
        self.assertEqual(action['res_model'], 'rakuten.cancel')
        wizards = self.env['rakuten.cancel'].with_user(as_user or self.salesman)
        return Form(wizards.with_context(**action['context'])).save()

    def _lines(self):
        return {(line.product_id.default_code, line.price_unit): line.product_uom_qty
                for line in self.order.order_line.filtered(lambda line: not line.is_delivery)}

    def test_cancelling_the_order_cancels_its_units_on_rakuten_once(self):
        action = self.order.with_user(self.salesman).action_cancel()
        self.assertEqual(self.order.state, 'sale', "nothing cancelled before the user answers")
        dialog = self._dialog(action)
        self.assertEqual(len(dialog.item_ids), 3, "the dialog names every unit the buyer waits for")
        self.assertAlmostEqual(dialog.amount_refunded, 47.30, places=2)
        self.assertIn('Rakuten', dialog.comment)
        self.assertEqual(self.server.state.count('cancelitem'), 0)
        dialog.action_cancel_on_rakuten()
        self.assertEqual(self.order.state, 'cancel')
        self.assertEqual(self.server.state.count('cancelitem'), 0, "never called from the user's request")
        self.assertEqual(set(self.sale.item_ids.mapped('cancel_state')), {'to_send'})
        self._cancel_job()
        self.assertEqual({item.status for item in self.purchase.items}, {const.STATUS_CANCELLED})
        self.assertEqual(set(self.sale.item_ids.mapped('cancel_state')), {'done'})
        self.assertEqual(set(self.sale.item_ids.mapped('status')), {const.STATUS_CANCELLED})
        comments = {params.get('comment') for _login, action_name, params in self.server.state.calls
                    if action_name == 'cancelitem'}
        self.assertEqual(len(comments), 1)
        self._cancel_job()
        self._run()
        self.assertEqual(self.server.state.count('cancelitem'), 3, "one call per unit, never twice")

    def test_lowering_a_line_keeps_the_price_and_cancels_the_unit_on_rakuten(self):
        mug_line = self.order.order_line.filtered(lambda line: line.product_id == self.mug)
        mug_line.with_user(self.salesman).product_uom_qty = 1
        self.assertEqual(self._lines(), {('RK-MUG', 9.50): 1, ('RK-TEE', 19.90): 1}, "at the price paid")
        self.assertEqual(self.order.rakuten_units_to_decide, 1)
        activity = self.order.activity_ids
        self.assertEqual(len(activity), 1, "a user is reminded that the buyer waits")
        self.assertTrue(activity.date_deadline)
        kept = self.order.message_ids.filtered(lambda message: 'keeps their shipping' in (message.body or ''))
        self.assertEqual(len(kept), 1, "the order says why its total is not what Rakuten pays until then")
        self.assertIn('1.50', kept.body)
        self.assertAlmostEqual(self.order.amount_total, 9.50 + 19.90 + 8.40, places=2)
        dialog = self._dialog(self.order.with_user(self.salesman).action_rakuten_cancel_units())
        self.assertEqual(len(dialog.item_ids), 1)
        dialog.action_cancel_on_rakuten()
        self._cancel_job()
        cancelled = [item for item in self.purchase.items if item.status == const.STATUS_CANCELLED]
        self.assertEqual([item.sku for item in cancelled], ['RK-MUG'])
        self.assertAlmostEqual(self.order.order_line.filtered('is_delivery').price_unit, 8.40 - 1.50, places=2,
                               msg="the cancelled unit's shipping refunded")
        self.assertAlmostEqual(self.order.amount_total, 9.50 + 19.90 + 6.90, places=2)
        self.assertFalse(self.order.rakuten_units_to_decide)
        self.assertFalse(self.order.activity_ids, "settled")
        self._run()
        self.assertEqual(self._lines(), {('RK-MUG', 9.50): 1, ('RK-TEE', 19.90): 1}, "the next read changes nothing")

    def test_only_in_odoo_leaves_the_units_and_reminds_a_user(self):
        dialog = self._dialog(self.order.with_user(self.salesman).action_cancel())
        dialog.action_odoo_only()
        self.assertEqual(self.order.state, 'cancel')
        self.assertEqual(self.server.state.count('cancelitem'), 0)
        self.assertEqual(set(self.sale.item_ids.mapped('cancel_state')), {'to_decide'})
        self.assertTrue(self.order.activity_ids.filtered(lambda activity: 'ship or cancel' in (activity.summary or '')))

    @mute_logger('odoo.addons.rakuten_connector.models.rakuten_sale_item')
    def test_a_lost_answer_is_read_back_never_sent_again(self):
        # Rakuten cancels the first unit, but its answer comes after the client gave up (Odoo's tests wait 10 s
        # at least): the outcome is unknown.
        self.server.state.inject('slow_answer', 'cancelitem', times=1, delay=10.5)
        self.env['ir.config_parameter'].set_param('rakuten_connector.timeout', 1)
        self._dialog(self.order.with_user(self.salesman).action_cancel()).action_cancel_on_rakuten()
        self._cancel_job()
        states = self.sale.item_ids.sorted('id').mapped('cancel_state')
        self.assertEqual(states, ['to_check', 'done', 'done'])
        self.assertEqual({item.status for item in self.purchase.items}, {const.STATUS_CANCELLED},
                         "Rakuten did it; its first answer was lost")
        self._cancel_job()
        self.assertEqual(self.server.state.count('cancelitem'), 3, "not sent again before it is read back")
        self._run()  # reads the sale: every unit cancelled
        self.assertEqual(set(self.sale.item_ids.mapped('cancel_state')), {'done'})
        self._cancel_job()
        self.assertEqual(self.server.state.count('cancelitem'), 3)

    def test_rakuten_down_the_units_wait_and_the_order_says_so_once(self):
        self._dialog(self.order.with_user(self.salesman).action_cancel()).action_cancel_on_rakuten()
        self.server.state.inject('quota', 'cancelitem', times=2)
        with mute_logger('odoo.addons.rakuten_connector.models.rakuten_sale_item'):
            self._cancel_job()
            self._cancel_job()
        self.assertEqual(set(self.sale.item_ids.mapped('cancel_state')), {'to_send'}, "nothing lost, nothing sent")
        said = self.order.message_ids.filtered(lambda message: 'quota' in (message.body or ''))
        self.assertEqual(len(said), 1, "the order says why, once")
        self.assertIn('RK-MUG', said.body)
        self._cancel_job()
        self.assertEqual(set(self.sale.item_ids.mapped('cancel_state')), {'done'})
        self.assertEqual(self.server.state.count('cancelitem'), 3 + 2, "each unit sent once (two calls refused)")

    def test_a_lost_answer_is_said_on_the_order(self):
        self.server.state.inject('http503', 'cancelitem', times=1)
        self._dialog(self.order.with_user(self.salesman).action_cancel()).action_cancel_on_rakuten()
        self._cancel_job()
        self.assertEqual(self.sale.item_ids.sorted('id')[0].cancel_state, 'to_check')
        self.assertTrue(self.order.message_ids.filtered(
            lambda message: 'never sent twice' in (message.body or '') or 'jamais' in (message.body or '')))

    def test_scrapped_stock_leaves_units_for_a_user_to_ship_or_cancel(self):
        """A warehouse user scraps every mug in stock, the two reserved for the order included: those units can no
        longer be shipped; a user is asked to decide by the day they should leave; the T-shirt is untouched."""
        storeman = new_test_user(self.env, login='rk_scrap_storeman', groups='stock.group_stock_user')
        mugs = self.sale.item_ids.filtered(lambda item: item.sku == 'RK-MUG')
        self.assertEqual(self.order.order_line.filtered(lambda line: line.product_id == self.mug).move_ids.quantity, 2)
        scrap = self.env['stock.scrap'].with_user(storeman).create({
            'product_id': self.mug.id, 'scrap_qty': self.STOCK, 'location_id': self.warehouse.lot_stock_id.id})
        scrap.do_scrap()
        self.assertEqual(set(mugs.mapped('cancel_state')), {'to_decide'})
        self.assertFalse((self.sale.item_ids - mugs).mapped('cancel_state')[0])
        [activity] = self.order.activity_ids.filtered(lambda activity: 'ship or cancel' in (activity.summary or ''))
        self.assertEqual(activity.date_deadline, deadlines.ship_deadline(
            self.sale.purchase_date.replace(tzinfo=timezone.utc)).date())
        self.assertTrue(self.order.message_ids.filtered(lambda message: 'scrapped' in (message.body or '')))
        self.assertEqual(self.order.rakuten_units_to_decide, 2)
        self.assertEqual(self.server.state.count('cancelitem'), 0, "nothing sent without a user's decision")

    def test_a_run_that_died_during_the_call_is_checked_not_resent(self):
        self._dialog(self.order.with_user(self.salesman).action_cancel()).action_cancel_on_rakuten()
        # Committed before its call, then the worker died.
        self.sale.item_ids[0].write({'cancel_state': 'sending', 'cancel_date': datetime.now() - timedelta(minutes=10)})
        self.sale.item_ids[1:].cancel_state = False
        self._cancel_job()
        self.assertEqual(self.sale.item_ids[0].cancel_state, 'to_check')
        self.assertEqual(self.server.state.count('cancelitem'), 0)
        self._run()  # Rakuten still shows it to ship: the call never reached it, asked again
        self.assertEqual(self.sale.item_ids[0].cancel_state, 'to_send')
        self._cancel_job()
        self.assertEqual(self.server.state.count('cancelitem'), 1)
        self.assertEqual(self.sale.item_ids[0].cancel_state, 'done')

    def test_shipped_units_are_never_offered_and_a_refusal_keeps_the_unit(self):
        picking = self.order.picking_ids
        picking.carrier_tracking_ref = '6A12345678901'
        for move in picking.move_ids:
            move.quantity = 1 if move.product_id == self.mug else 0
        picking.with_context(skip_backorder=True, skip_sms=True, picking_ids_not_to_backorder=[]).button_validate()
        self.assertEqual(picking.state, 'done')
        backorder = self.order.picking_ids - picking
        self.assertTrue(backorder, "the other mug and the T-shirt wait in a backorder")
        self.server.state.inject('parameter', 'cancelitem', times=1)
        backorder.action_cancel()
        self.assertEqual(self.order.rakuten_units_to_decide, 2, "the delivery cancelled: the buyer still waits")
        self.assertTrue(self.order.activity_ids.filtered(lambda activity: 'ship or cancel' in (activity.summary or '')))
        dialog = self._dialog(self.order.with_user(self.salesman).action_cancel())
        self.assertEqual(sorted(dialog.item_ids.mapped('sku')), ['RK-MUG', 'RK-TEE'], "never the mug that left")
        with mute_logger('odoo.addons.rakuten_connector.models.rakuten_sale_item'):
            dialog.action_cancel_on_rakuten()
            self._cancel_job()
        states = sorted(self.sale.item_ids.mapped(lambda item: item.cancel_state or ''))
        self.assertEqual(states, ['', 'done', 'failed'])
        failed = self.sale.item_ids.filtered(lambda item: item.cancel_state == 'failed')
        self.assertTrue(failed.cancel_error)
        self.assertIn(failed.itemid, [item.itemid for item in self.purchase.items
                                      if item.status == const.STATUS_ACCEPTED], "kept on Rakuten")
        self.assertTrue(self.order.activity_ids.filtered(lambda activity: 'failed' in (activity.summary or '').lower()))

    def test_no_backorder_asks_at_once_and_a_warehouse_user_leaves_it_to_sales(self):
        storeman = new_test_user(self.env, login='rk_cancel_storeman', groups='stock.group_stock_user')
        for user, expects_dialog in ((self.salesman, True), (storeman, False)):
            purchase = self._basket()
            self._run()
            order = self._sale(purchase).order_id
            picking = order.picking_ids
            picking.carrier_tracking_ref = '6A1'
            for move in picking.move_ids:
                move.quantity = 1  # one mug and the T-shirt leave; the second mug will not
            action = picking.with_user(user).button_validate()
            self.assertEqual(action['res_model'], 'stock.backorder.confirmation')
            wizard = Form(self.env['stock.backorder.confirmation'].with_user(user).with_context(
                **action['context'])).save()
            result = wizard.process_cancel_backorder()
            self.assertEqual(picking.state, 'done')
            self.assertEqual(order.rakuten_units_to_decide, 1)
            if expects_dialog:
                dialog = self._dialog(result)
                self.assertEqual(dialog.item_ids.mapped('sku'), ['RK-MUG'])
                dialog.action_cancel_on_rakuten()
                self._cancel_job()
                self.assertEqual(sorted(item.status for item in purchase.items),
                                 [const.STATUS_ACCEPTED, const.STATUS_ACCEPTED, const.STATUS_CANCELLED])
                self.assertEqual(order.order_line.filtered(lambda line: line.product_id == self.mug).product_uom_qty, 1)
            else:
                self.assertIs(result, True, "no sales rights: no dialog")
                self.assertTrue(order.activity_ids.filtered(
                    lambda activity: 'ship or cancel' in (activity.summary or '')),
                                "the salesperson or the Rakuten team's leader is reminded")

    def test_a_unit_taken_off_a_line_is_never_joined_back_and_its_shipping_refunded_once(self):
        self.order.action_lock()  # "Lock confirmed sales": the connector still changes what Rakuten decides
        mug_line = self.order.order_line.filtered(lambda line: line.product_id == self.mug)
        self.order.action_unlock()
        mug_line.with_user(self.salesman).product_uom_qty = 1
        self.order.action_lock()
        self._run()
        self._run()
        self.assertEqual(self._lines(), {('RK-MUG', 9.50): 1, ('RK-TEE', 19.90): 1},
                         "the unit the user took off waits for the user's decision, off the order")
        self.assertAlmostEqual(self.order.order_line.filtered('is_delivery').price_unit, 8.40, places=2)
        # Rakuten cancels it on its side (the buyer asked), before the user decided: its shipping is refunded.
        removed = self.sale.item_ids.filtered(lambda item: item.cancel_state == 'to_decide')
        next(item for item in self.purchase.items if item.itemid == removed.itemid).status = const.STATUS_CANCELLED
        self._run()
        self._run()
        self.assertAlmostEqual(self.order.order_line.filtered('is_delivery').price_unit, 8.40 - 1.50, places=2,
                               msg="refunded once, on a locked order")
        self.assertAlmostEqual(self.order.amount_total, 9.50 + 19.90 + 6.90, places=2)
        self.assertTrue(self.order.locked)

    def test_a_cancellation_to_check_is_followed_on_an_old_cancelled_order(self):
        old = self._basket(purchase_date=self._paris_days_ago(20))
        self.company.rakuten_last_order_sync = datetime.now() - timedelta(days=21)
        self._run()
        sale = self._sale(old)
        self.assertEqual(sale.order_id.state, 'sale')
        self._dialog(sale.order_id.with_user(self.salesman).action_cancel()).action_cancel_on_rakuten()
        sale.item_ids.write({'cancel_state': 'to_check', 'cancel_date': datetime.now() - timedelta(minutes=10)})
        for item in old.items:
            item.status = const.STATUS_CANCELLED  # Rakuten did it; the answers were lost
        self._run()  # the last sync is now: only the order's cancellation under way keeps it read
        self.assertEqual(set(sale.item_ids.mapped('cancel_state')), {'done'})

    def _paris_days_ago(self, days):
        from ..rakuten_connector.fake_server.state import PARIS  # noqa: PLC0415
        return datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0) - timedelta(days=days)


@tagged('post_install', '-at_install')
class TestSellerCancelTour(RakutenShopCase, HttpCase):
    """The cancellation of a Rakuten order as a French salesman, in Chromium."""

    def test_cancelling_asks_once_in_the_rakuten_dialog(self):
        self.env['res.lang']._activate_lang('fr_FR')
        self.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        salesman = new_test_user(self.env, login='rk_cancel_tour', password='rk_cancel_tour', lang='fr_FR',
                                 groups='sales_team.group_sale_salesman_all_leads,stock.group_stock_user',
                                 company_id=self.company.id)
        purchase = self._basket()
        self._run()
        order = self._sale(purchase).order_id
        self.assertEqual(order.with_user(salesman).rakuten_units_cancellable, 3)
        self.start_tour(f'/odoo/action-sale.action_orders/{order.id}', 'rakuten_cancel_tour',
                        login='rk_cancel_tour', timeout=120)
        self.assertEqual(order.state, 'cancel')
        self.assertEqual(set(order.rakuten_sale_id.item_ids.mapped('cancel_state')), {'to_send'})
        self.assertEqual(self.server.state.count('cancelitem'), 0, "sent by the job, not by the click")
