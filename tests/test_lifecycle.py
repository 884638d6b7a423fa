"""An order's life over weeks: late and partial cancellations, only shippable sales, retried acceptances,
true order dates, manual buttons, one bad sale among many."""
import math
from datetime import datetime, timedelta

import psycopg2.errors

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models.rakuten_sale import IMPORT_LOCK_KEY
from ..rakuten_connector import const
from ..rakuten_connector.fake_server.state import PARIS
from .common import RakutenShopCase

MUTE_UNEXPECTED = ('odoo.sql_db', 'odoo.addons.rakuten_connector.models.rakuten_sale')


class LifecycleCase(RakutenShopCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.standard.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')

    def _days_ago(self, days):
        """A Rakuten purchase date (naive, Paris time) ``days`` ago."""
        return datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0) - timedelta(days=days)

    def _import_old(self, *purchases):
        """First import of sales purchased weeks ago: Last Order Sync moved back before the oldest."""
        oldest = min(purchase.purchase_date for purchase in purchases)
        self.company.rakuten_last_order_sync = datetime.now() - (self._days_ago(0) - oldest) - timedelta(days=1)
        self._run()
        self.assertTrue(all(self._sale(purchase).order_id for purchase in purchases))

    def _deliver(self, order, quantities=None):
        """Validate the order's open delivery, ``quantities`` {product: qty} or everything; a backorder for
        the rest."""
        picking = order.picking_ids.filtered(lambda picking: picking.state not in ('done', 'cancel'))
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
        picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
        self.assertEqual(picking.state, 'done')
        return picking

    def _waiting_sale(self):
        """A sale left for a user to accept or refuse."""
        self.company.rakuten_accept_policy = 'manual'
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self._run()
        return purchase, self._sale(purchase)

    def _decisions(self):
        return self.server.state.count('acceptsale') + self.server.state.count('refusesale')

    @staticmethod
    def _open_moves(order, product):
        return order.picking_ids.move_ids.filtered(
            lambda move: move.product_id == product and move.state not in ('done', 'cancel'))


@tagged('post_install', '-at_install')
class TestFollowOpenOrders(LifecycleCase):

    def test_late_cancellation_of_an_old_sale_cancels_its_order(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50')], status=const.STATUS_ACCEPTED,
                                      purchase_date=self._days_ago(12))
        self._import_old(purchase)
        order = self._sale(purchase).order_id
        self._run()  # Last Order Sync is now today: the sale is still followed
        purchase.items[0].status = const.STATUS_CANCELLED  # the buyer cancelled, twelve days later
        self._run()
        self.assertEqual(order.state, 'cancel')
        self.assertEqual(self._sale(purchase).state, 'cancelled')
        self.assertEqual(order.picking_ids.mapped('state'), ['cancel'])

    def test_late_cancellation_after_shipping_raises_an_activity_on_the_delivery(self):
        self._stock(self.mug, 5)
        # Bought today: a delivered order no longer widens the read (issue 21), the last sync's window reads it.
        purchase = self.shop.add_sale([('RK-MUG', '9.50')], status=const.STATUS_ACCEPTED,
                                      purchase_date=self._days_ago(0))
        self._import_old(purchase)
        order = self._sale(purchase).order_id
        picking = self._deliver(order)
        purchase.items[0].status = const.STATUS_CANCELLED
        self._run()
        self._run()
        self.assertEqual(order.state, 'sale', "goods left: the order stays")
        self.assertEqual(len(picking.activity_ids), 1, "one activity on the delivery, not one per run")
        self.assertIn('RK-MUG', picking.activity_ids.note)

    def test_window_reaches_back_to_the_oldest_open_order_only(self):
        self.server.state.page_size = 2
        self.addCleanup(setattr, self.server.state, 'page_size', 10)
        shipped = self.shop.add_sale([('RK-MUG', '9.50')], status=const.STATUS_ACCEPTED,
                                     purchase_date=self._days_ago(40))
        closed = self.shop.add_sale([('RK-MUG', '9.50')], status=const.STATUS_ACCEPTED,
                                    purchase_date=self._days_ago(30))
        open_sale = self.shop.add_sale([('RK-TEE', '19.90')], status=const.STATUS_ACCEPTED,
                                       purchase_date=self._days_ago(20))
        recent = [self.shop.add_sale([('RK-MUG', '9.50')], status=const.STATUS_ACCEPTED,
                                     purchase_date=self._days_ago(days)) for days in (10, 5, 1)]
        self._import_old(shipped, closed, open_sale, *recent)
        self._sale(shipped).item_ids.tracking_sent = True  # its despatch was confirmed to Rakuten
        closed.items[0].status = 'CLOSED'
        self._run()  # reads the closed status
        self.server.state.calls.clear()
        self._run()
        calls = [params for _login, action, params in self.server.state.calls if action == 'getcurrentsales']
        self.assertEqual({params['purchasedate'] for params in calls},
                         {self._sale(open_sale).purchase_date.date().isoformat()},
                         "from the oldest open order, not from the shipped or closed ones")
        self.assertEqual(len(calls), math.ceil(4 / 2), "one call per page, not one per followed sale")
        self.company.rakuten_follow_days = 15
        self.server.state.calls.clear()
        self._run()
        since = {params['purchasedate'] for _login, action, params in self.server.state.calls
                 if action == 'getcurrentsales'}
        self.assertEqual(since, {self._sale(recent[0]).purchase_date.date().isoformat()},
                         "the follow window is bounded by the setting")


@tagged('post_install', '-at_install')
class TestPartialCancellation(LifecycleCase):

    def test_cancelled_units_leave_the_order_and_are_never_despatched(self):
        self._stock(self.mug, 5)
        self._stock(self.tee, 5)
        purchase = self.shop.add_sale([('RK-MUG', '9.50')] * 3 + [('RK-TEE', '19.90')])
        self._run()
        sale = self._sale(purchase)
        order = sale.order_id
        cancelled = sale.item_ids.filtered(lambda item: item.itemid == purchase.items[0].itemid)
        purchase.items[0].status = const.STATUS_CANCELLED  # one mug of three
        self._run()
        self._run()
        mug_line = order.order_line.filtered(lambda line: line.product_id == self.mug)
        self.assertEqual(mug_line.product_uom_qty, 2)
        moves = self._open_moves(order, self.mug)
        self.assertEqual(sum(moves.mapped('product_uom_qty')), 2,
                         "the delivery follows")
        self.assertFalse(cancelled.order_line_id, "the unit left the order")
        self.assertEqual(order.state, 'sale')
        self.assertEqual(sale.state, 'imported')
        picking = self._deliver(order)
        self.env['stock.picking']._cron_rakuten_despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent')
        self.assertNotIn(cancelled, picking.rakuten_item_ids)
        self.assertIsNone(purchase.items[0].tracking, "never confirmed as despatched")
        self.assertTrue(all(item.tracking for item in purchase.items[1:]))

    def test_cancelled_unit_of_a_partly_delivered_line(self):
        self._stock(self.mug, 5)
        purchase = self.shop.add_sale([('RK-MUG', '9.50')] * 2)
        self._run()
        order = self._sale(purchase).order_id
        self._deliver(order, {self.mug: 1})
        self.assertEqual(sum(self._open_moves(order, self.mug).mapped('product_uom_qty')), 1, "a backorder")
        delivered = self._sale(purchase).item_ids.filtered('picking_id')
        other = next(item for item in purchase.items if item.itemid != delivered.itemid)
        order.action_lock()  # locked orders too (the "lock confirmed sales" setting)
        other.status = const.STATUS_CANCELLED
        self._run()
        self.assertEqual(order.order_line.filtered(lambda line: line.product_id == self.mug).product_uom_qty, 1)
        self.assertFalse(self._open_moves(order, self.mug), "nothing left to ship")
        self.assertEqual(order.state, 'sale')
        self.assertTrue(order.locked)


@tagged('post_install', '-at_install')
class TestShippableOnly(LifecycleCase):

    def test_sales_handled_in_the_back_office_never_become_deliveries(self):
        handled = {status: self.shop.add_sale([('RK-MUG', '9.50')], status=status, purchase_date=self._days_ago(9))
                   for status in ('CLOSED', 'ON_HOLD', 'CLAIM')}
        unknown = self.shop.add_sale([('RK-MUG', '9.50')], status='SHIPPED', purchase_date=self._days_ago(8))
        partly = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')], status=const.STATUS_ACCEPTED,
                                    purchase_date=self._days_ago(8))
        partly.items[0].status = 'CLOSED'
        self.company.rakuten_last_order_sync = datetime.now() - timedelta(days=10)  # first run reads back
        self._run()
        ids = [purchase.purchaseid for purchase in (*handled.values(), unknown)]
        self.assertFalse(self.env['sale.order'].search([('rakuten_purchase_ref', 'in', ids)]))
        for status, purchase in handled.items():
            sale = self._sale(purchase)
            self.assertEqual(sale.state, 'handled')
            self.assertIn(status, sale.error_message)
        sale = self._sale(unknown)
        self.assertEqual(sale.state, 'error', "an unknown status is shown to a user")
        self.assertIn('SHIPPED', sale.error_message)
        self.assertTrue(sale.activity_ids)
        order = self._sale(partly).order_id
        self.assertEqual(order.order_line.filtered(lambda line: not line.is_delivery).product_id, self.tee,
                         "only the unit to ship becomes an order line")
        handled['ON_HOLD'].items[0].status = const.STATUS_ACCEPTED  # the claim was settled: ship it (still followed)
        self._run()
        self.assertEqual(self._sale(handled['ON_HOLD']).state, 'imported')


@tagged('post_install', '-at_install')
class TestAcceptanceLifecycle(LifecycleCase):

    def test_failed_acceptance_is_retried_at_each_run(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50')])
        self.server.state.inject('parameter', 'acceptsale', times=2)
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.state, 'error')
        self.assertEqual(sale.activity_ids.date_deadline, sale.accept_deadline.date(),
                         "the activity carries the acceptance deadline")
        self._run()
        self.assertEqual(sale.state, 'error')
        self.assertEqual(len(sale.activity_ids), 1)
        self._run()
        self.assertEqual(sale.state, 'imported')
        self.assertFalse(sale.activity_ids)
        self.assertEqual(self.server.state.count('acceptsale'), 3, "tried once per run")

    def test_stock_policy_never_promises_the_same_units_twice(self):
        self._set_stock(self.mug, 2)
        first = self.shop.add_sale([('RK-MUG', '9.50')] * 2)
        self.server.state.inject('parameter', 'getbillinginformation', times=100)
        self._run()
        self.assertEqual(self._sale(first).state, 'error', "accepted, its order not created yet")
        self.assertEqual({item.status for item in first.items}, {const.STATUS_ACCEPTED})
        second = self.shop.add_sale([('RK-MUG', '9.50')])
        self._run()
        self.assertEqual(self._sale(second).state, 'to_accept', "the two mugs are promised to the first sale")
        self.assertEqual(second.items[0].status, const.STATUS_TO_CONFIRM)

    def test_order_date_is_the_purchase_date(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50')], purchase_date=self._days_ago(2))
        self._run()
        sale = self._sale(purchase)
        self.assertEqual(sale.order_id.state, 'sale')
        self.assertEqual(sale.order_id.date_order, sale.purchase_date)
        deadline = sale.purchase_date + timedelta(days=self.mug.sale_delay)
        self.assertEqual(sale.order_id.picking_ids.move_ids.date_deadline, deadline, "deadlines follow")

    def test_total_check_counts_the_importable_units_only(self):
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-TEE', '19.90')], status=const.STATUS_ACCEPTED)
        purchase.items[1].status = const.STATUS_CANCELLED
        self._run()
        order = self._sale(purchase).order_id
        self.assertAlmostEqual(order.amount_total, 9.50, places=2)
        self.assertFalse(order.message_ids.filtered(lambda message: '29.4' in (message.body or '')),
                         "no warning about the cancelled unit")


@tagged('post_install', '-at_install')
class TestManualButtons(LifecycleCase):

    def test_read_only_user_cannot_decide_through_rpc(self):
        purchase, sale = self._waiting_sale()
        viewer = new_test_user(self.env, login='h11_stock_viewer', groups='stock.group_stock_user')
        sale.with_user(viewer).read(['state'])
        for action in ('action_accept', 'action_refuse', 'action_retry'):
            with self.assertRaises(AccessError):
                getattr(sale.with_user(viewer), action)()
        self.assertEqual(self._decisions(), 0)
        self.assertEqual(purchase.items[0].status, const.STATUS_TO_CONFIRM)


@tagged('post_install', '-at_install')
class TestManualButtonsLock(LifecycleCase):

    def test_buttons_wait_for_a_running_import(self):
        _purchase, sale = self._waiting_sale()
        with self.registry.cursor() as other:
            other.execute('SELECT pg_try_advisory_lock(%s, %s)', (IMPORT_LOCK_KEY, self.company.id))
            self.assertTrue(other.fetchone()[0])
            for action in (sale.action_accept, sale.action_refuse, sale.action_retry):
                with self.assertRaises(UserError):
                    action()
            self.assertEqual(self._decisions(), 0)
            other.execute('SELECT pg_advisory_unlock(%s, %s)', (IMPORT_LOCK_KEY, self.company.id))
        sale.action_accept()
        self.assertEqual(sale.state, 'imported')


    def test_run_lock_is_released_when_the_run_transaction_aborted(self):
        """A database error outside a savepoint aborts the run's transaction: the lock is still released."""
        with self.registry.cursor() as job:
            company = self.env(cr=job)['res.company'].browse(self.company.id)
            with self.assertRaises(psycopg2.errors.DivisionByZero), mute_logger('odoo.sql_db'):
                with company._rakuten_run_lock(IMPORT_LOCK_KEY) as locked:
                    self.assertTrue(locked)
                    job.execute('SELECT 1 / 0')
            with self.registry.cursor() as other:
                other.execute('SELECT pg_try_advisory_lock(%s, %s)', (IMPORT_LOCK_KEY, self.company.id))
                self.assertTrue(other.fetchone()[0], "the next run can take the lock")
                other.execute('SELECT pg_advisory_unlock(%s, %s)', (IMPORT_LOCK_KEY, self.company.id))


@tagged('post_install', '-at_install')
class TestIsolation(LifecycleCase):

    @mute_logger(*MUTE_UNEXPECTED)
    def test_database_constraint_in_one_sale(self):
        first, broken, last = (self.shop.add_sale([('RK-MUG', '9.50')]) for _index in range(3))
        # An order already carries this purchase id (typed by hand): the database refuses a second one.
        self.env['sale.order'].create({'partner_id': self.env.user.partner_id.id,
                                       'rakuten_purchase_ref': broken.purchaseid})
        self._run()
        self.assertEqual(self._sale(first).state, 'imported')
        self.assertEqual(self._sale(last).state, 'imported', "the run went on after the broken sale")
        sale = self._sale(broken)
        self.assertEqual(sale.state, 'error')
        constraint = self.env['ir.model.constraint'].search([('name', '=', 'sale_order_rakuten_purchase_unique')])
        readable = {constraint.with_context(lang=lang).message for lang, _name in self.env['res.lang'].get_installed()}
        self.assertTrue(any(text in sale.error_message for text in readable), "the constraint's own sentence")
        self.assertTrue(sale.activity_ids)
        self.assertEqual(self.company.rakuten_import_state, 'ok')

    @mute_logger(*MUTE_UNEXPECTED)
    def test_bug_in_one_sale(self):
        purchases = [self.shop.add_sale([('RK-MUG', '9.50')]) for _index in range(3)]
        self.server.state.inject('parameter', 'getbillinginformation', times=100)
        self._run()  # every sale accepted and stored, no order yet
        self.server.state.faults.clear()
        broken = self._sale(purchases[1])
        broken.sudo().payload = '{"purchaseid": '  # a stored sale that cannot be read any more
        del self.shop.sales[purchases[1].purchaseid]  # and Rakuten does not list it again
        self._run()
        self.assertEqual([self._sale(purchase).state for purchase in purchases], ['imported', 'error', 'imported'])
        self.assertIn('JSONDecodeError', self._sale(purchases[1]).error_message)
