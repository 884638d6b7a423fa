"""The jobs of issue 21: one company or one sale never stops the rest, job status rows that concurrent jobs
never share, Import orders now holding its lock until commit, bounded following, message identity."""
from datetime import timedelta

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from ..models.rakuten_sale import IMPORT_LOCK_KEY
from ..rakuten_connector import const
from .common import RakutenShopCase
from .test_aftersales import AftersalesCase, _paris
from .test_lifecycle import LifecycleCase

UNEXPECTED_LOGGERS = ('odoo.sql_db', 'odoo.addons.rakuten_connector.models.res_company')
# A basket of several units of several SKUs, at Rakuten prices unlike the list prices (9.50, 19.90).
BASKET = [('RK-MUG', '8.90'), ('RK-MUG', '8.90'), ('RK-TEE', '17.50')]
SHIPPING = '4.90'
TOTAL = 2 * 8.90 + 17.50 + 4.90


class JobsCase(RakutenShopCase):

    def _basket(self, shop=None, **kwargs):
        return (shop or self.shop).add_sale(BASKET, shipping_type='Suivi', shipping_price=SHIPPING, **kwargs)

    def _assert_order(self, sale):
        """The sale's order holds every unit at the price paid, and the shipping paid."""
        order = sale.order_id
        self.assertTrue(order, sale.error_message)
        lines = {(line.product_id.default_code, line.product_uom_qty, line.price_unit)
                 for line in order.order_line if not line.is_delivery}
        self.assertEqual(lines, {('RK-MUG', 2, 8.90), ('RK-TEE', 1, 17.50)})
        self.assertEqual(sale.item_ids.order_line_id, order.order_line.filtered(lambda line: not line.is_delivery))
        self.assertAlmostEqual(order.amount_total, TOTAL)


@tagged('post_install', '-at_install')
class TestOneCompanyNeverStopsTheOthers(JobsCase):
    """Two companies, each with its shop; the Lyon one runs first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop_b = cls.server.state.add_shop('boutique-lyon-jobs', 'token-lyon-jobs')
        cls.company_b = cls.env['res.company'].create({
            'name': 'Boutique Lyon', 'currency_id': cls.env.ref('base.EUR').id, 'sequence': 0,  # runs first
            'rakuten_enabled': True, 'rakuten_login': cls.shop_b.login, 'rakuten_token': cls.shop_b.token,
            'rakuten_base_url': cls.server.url, 'rakuten_accept_policy': 'all', 'rakuten_stock_sync': True,
            'rakuten_default_carrier_id': cls.colissimo.id,
        })
        cls.company.write({'sequence': 10, 'rakuten_stock_sync': True})
        cls.env.user.company_ids |= cls.company_b
        cls.warehouse_b = cls.env['stock.warehouse'].search([('company_id', '=', cls.company_b.id)], limit=1)
        cls.warehouse_b.rakuten_stock_source = True
        cls.env['product.product'].search([('id', 'not in', (cls.mug | cls.tee).ids)]).rakuten_sync = False

    def setUp(self):
        super().setUp()
        self.server.state.import_polls = 0
        with self.server.state.lock:
            self.shop_b.sales.clear()
            self.shop_b.imports.clear()
        for shop in (self.shop, self.shop_b):
            shop.adverts.clear()
            shop.add_advert('RK-MUG', stock=0, price='8.90')

    def _stock_both(self, quantity):
        warehouse_b = self.warehouse_b.lot_stock_id
        for product in (self.mug, self.tee):
            self._set_stock(product, quantity)
            self.env['stock.quant']._update_available_quantity(product, warehouse_b, quantity)

    def _refuse_rows_of_lyon(self, table):
        """The database refuses this table's rows of the Lyon company: an error no savepoint of a sale covers."""
        self.env.flush_all()
        self.env.cr.execute(SQL('ALTER TABLE %s ADD CONSTRAINT test_refuse_lyon CHECK (company_id != %s)',
                                SQL.identifier(table), self.company_b.id))

    def _accept_rows_of_lyon(self, table):
        self.env.cr.execute(SQL('ALTER TABLE %s DROP CONSTRAINT test_refuse_lyon', SQL.identifier(table)))

    def test_unexpected_error_in_one_company_import_is_recorded_and_the_next_goes_on(self):
        self._stock_both(10)
        purchase_a, purchase_b = self._basket(), self._basket(self.shop_b)
        self._refuse_rows_of_lyon('rakuten_sale')
        with mute_logger(*UNEXPECTED_LOGGERS):
            self.env['rakuten.sale']._cron_import()
        self._assert_order(self._sale(purchase_a))
        self.assertEqual(self.company.rakuten_import_state, 'ok', self.company.rakuten_import_message)
        self.assertEqual(self.company_b.rakuten_import_state, 'failed')
        self.assertIn('Unexpected error, the order import of this company stopped',
                      self.company_b.rakuten_import_message)
        self.assertIn('test_refuse_lyon', self.company_b.rakuten_import_message)
        self.assertFalse(self._sale(purchase_b), "what the failed run did is undone")
        self.assertEqual({item.status for item in purchase_b.items}, {const.STATUS_TO_CONFIRM})
        self._accept_rows_of_lyon('rakuten_sale')
        self.env['rakuten.sale']._cron_import()  # the next run starts again
        self.assertEqual(self.company_b.rakuten_import_state, 'ok', self.company_b.rakuten_import_message)
        sale_b = self._sale(purchase_b)
        self.assertEqual(sale_b.company_id, self.company_b)
        self._assert_order(sale_b)

    def test_unexpected_error_in_one_company_stock_sync_is_recorded_and_the_next_goes_on(self):
        self._stock_both(4)
        self._refuse_rows_of_lyon('rakuten_stock_import')
        with mute_logger(*UNEXPECTED_LOGGERS):
            self.env['rakuten.stock.import']._cron_rakuten_stock()
            self.env['rakuten.stock.import']._cron_rakuten_stock()  # Rakuten applies the file when its report is read
        self.assertEqual(self.shop.advert_by_sku('RK-MUG').stock, 4)
        self.assertEqual(self.mug.with_company(self.company).rakuten_published_qty, 4)
        self.assertIn('Unexpected error, the stock sync of this company stopped', self.company_b.rakuten_stock_message)
        self.assertFalse(self.env['rakuten.stock.import'].search([('company_id', '=', self.company_b.id)]))
        self._accept_rows_of_lyon('rakuten_stock_import')
        self.env['rakuten.stock.import']._cron_rakuten_stock()
        self.assertIn('Stock file sent to Rakuten with 2 SKUs.', self.company_b.rakuten_stock_message)


@tagged('post_install', '-at_install')
class TestSaleReadTwice(JobsCase):

    def test_sale_on_two_pages_of_one_read_is_stored_once(self):
        self.addCleanup(setattr, self.server.state, 'page_size', self.server.state.page_size)
        self.server.state.page_size = 2
        self._stock(self.mug, 10)
        self._stock(self.tee, 10)
        purchases = [self._basket() for _index in range(3)]
        self.server.state.inject('repeat_page', 'getnewsales')  # the first page comes twice
        self._run()
        self.assertEqual(self.company.rakuten_import_state, 'ok', self.company.rakuten_import_message)
        self.assertEqual(self.server.state.count('getnewsales'), 3, "the first page was read twice")
        for purchase in purchases:
            sale = self._sale(purchase)
            self.assertEqual(len(sale), 1)
            self.assertEqual(sorted(sale.item_ids.mapped('itemid')), sorted(item.itemid for item in purchase.items))
            self._assert_order(sale)
        self.assertEqual(self.server.state.count('acceptsale'), 9, "each unit accepted once")


@tagged('post_install', '-at_install')
class TestJobStatusConcurrency(TransactionCase):
    """The import and the stock job of a company record their status in two transactions at once (two
    workers): neither fails the other. Runs on the database's own company, committed (other cursors see it)."""

    def _statuses(self, company_id):
        with self.registry.cursor() as cr:
            cr.execute('SELECT job, state, message FROM rakuten_job_status WHERE company_id = %s', (company_id,))
            return {job: (state, message) for job, state, message in cr.fetchall()}

    def _restore(self, company_id, rows):
        with self.registry.cursor() as cr:
            cr.execute('DELETE FROM rakuten_job_status WHERE company_id = %s', (company_id,))
            for row in rows:
                cr.execute('INSERT INTO rakuten_job_status (company_id, job, state, message, date, last_sync) '
                           'VALUES (%s, %s, %s, %s, %s, %s)', row)

    def _company_id(self):
        """The database's company, whose job statuses are put back after the test."""
        company_id = self.env.ref('base.main_company').id
        with self.registry.cursor() as cr:
            cr.execute('SELECT rakuten_login IS NOT NULL FROM res_company WHERE id = %s', (company_id,))
            if cr.fetchone()[0]:
                self.skipTest("the database's company has Rakuten credentials: no run against a real shop")
            cr.execute("SELECT to_regclass('rakuten_job_status') IS NOT NULL")
            if cr.fetchone()[0]:
                cr.execute('SELECT company_id, job, state, message, date, last_sync FROM rakuten_job_status '
                           'WHERE company_id = %s', (company_id,))
                self.addCleanup(self._restore, company_id, cr.fetchall())
        return company_id

    def test_import_and_stock_jobs_record_their_status_at_the_same_time(self):
        company_id = self._company_id()
        with self.registry.cursor() as import_cr, self.registry.cursor() as stock_cr:
            stock_cr.execute("SET LOCAL lock_timeout = '10s'")  # never wait for ever on the old shared row
            import_env, stock_env = (api.Environment(cr, SUPERUSER_ID, {}) for cr in (import_cr, stock_cr))
            # The stock run's transaction starts (its snapshot) before the import run's commits.
            self.assertTrue(stock_env['res.company'].browse(company_id).name)
            import_env['rakuten.sale']._rakuten_import(import_env['res.company'].browse(company_id))
            import_cr.commit()
            stock_env['rakuten.stock.import']._rakuten_sync_company(stock_env['res.company'].browse(company_id))
            stock_cr.commit()
        statuses = self._statuses(company_id)
        self.assertEqual(statuses['import'][0], 'failed')
        self.assertEqual(statuses['stock'][0], 'failed')
        self.assertIn('Set the Rakuten login', statuses['import'][1])
        self.assertIn('Set the Rakuten login', statuses['stock'][1])


    def test_scheduled_run_rolls_back_to_its_last_commit_and_records_an_unexpected_error(self):
        company_id = self._company_id()
        cron = self.env.ref('rakuten_connector.ir_cron_rakuten_import')
        with self.registry.cursor() as cr:
            job = api.Environment(cr, SUPERUSER_ID, {'cron_id': cron.id})
            # A database error once the run is done: the run's transaction is rolled back (this constraint too).
            cr.execute("ALTER TABLE rakuten_job_status ADD CONSTRAINT test_refuse_status "
                       "CHECK (message NOT LIKE 'Set the Rakuten login%%') NOT VALID")
            with mute_logger(*UNEXPECTED_LOGGERS):
                self.assertTrue(job['rakuten.sale']._rakuten_import(job['res.company'].browse(company_id)))
            cr.execute('SELECT pg_try_advisory_lock(%s, %s)', (IMPORT_LOCK_KEY, company_id))
            self.assertTrue(cr.fetchone()[0], "the run released its lock")
            cr.execute('SELECT pg_advisory_unlock(%s, %s)', (IMPORT_LOCK_KEY, company_id))
        state, message = self._statuses(company_id)['import']
        self.assertEqual(state, 'failed')
        self.assertIn('Unexpected error, the order import of this company stopped', message)
        self.assertIn('test_refuse_status', message)


@tagged('post_install', '-at_install')
class TestImportNowLock(JobsCase):

    def test_import_now_holds_the_lock_until_its_transaction_commits(self):
        admin = new_test_user(self.env, login='rk_jobs_settings_admin',
                              groups='base.group_system,sales_team.group_sale_manager,stock.group_stock_user')
        self._stock(self.mug, 5)
        self._stock(self.tee, 5)
        purchase = self._basket()
        result = self.env['res.config.settings'].with_user(admin).create({}).action_rakuten_import_now()
        self.assertEqual(result['params']['type'], 'success', result['params']['message'])
        self._assert_order(self._sale(purchase))
        # The button's transaction is still open: a scheduled run in another worker skips this company.
        calls = len(self.server.state.calls)
        cron = self.env.ref('rakuten_connector.ir_cron_rakuten_import')
        with self.registry.cursor() as other:
            other.execute("SET LOCAL lock_timeout = '10s'")  # never wait for ever on this test's rows
            job = api.Environment(other, SUPERUSER_ID, {'cron_id': cron.id})
            self.assertFalse(job['rakuten.sale']._rakuten_import(job['res.company'].browse(self.company.id)),
                             "the import of this company is still held by the button")
        self.assertEqual(len(self.server.state.calls), calls, "the skipped run called nothing")


@tagged('post_install', '-at_install')
class TestBoundedFollowing(JobsCase, LifecycleCase):

    def _since(self):
        self.server.state.calls.clear()
        self._run()
        return {params['purchasedate'] for _login, action, params in self.server.state.calls
                if action == 'getcurrentsales'}

    def _deliver(self, order, quantities=None):
        """Tracked parcels (Suivi): the delivery gets its tracking number first."""
        order.picking_ids.filtered(lambda picking: picking.state not in ('done', 'cancel')).carrier_tracking_ref = \
            f'6A{order.id:08d}'
        return super()._deliver(order, quantities)

    def test_orders_delivered_or_cancelled_in_odoo_stop_widening_the_read(self):
        self.company.rakuten_mark_despatched = False  # despatch is done outside Odoo
        self._stock(self.mug, 6)
        self._stock(self.tee, 3)
        delivered, cancelled, partial = (
            self._basket(status=const.STATUS_ACCEPTED, purchase_date=self._days_ago(days)) for days in (30, 25, 20))
        self._import_old(delivered, cancelled, partial)
        for purchase in (delivered, cancelled, partial):
            self._assert_order(self._sale(purchase))
        self._deliver(self._sale(delivered).order_id)
        self._sale(cancelled).order_id.with_context(disable_cancel_warning=True,
                                                    rakuten_cancel_decided=True).action_cancel()
        partial_order = self._sale(partial).order_id
        self._deliver(partial_order, {self.mug: 1})  # one mug is left to deliver
        self.assertFalse(self._sale(delivered).item_ids.filtered('tracking_sent'), "nothing was sent to Rakuten")
        self.assertEqual(self._since(), {self._sale(partial).purchase_date.date().isoformat()},
                         "from the order still to deliver, not from the delivered or cancelled ones")
        self._deliver(partial_order)
        last_sync = self.company.rakuten_last_order_sync
        self.assertEqual(self._since(), {(last_sync - timedelta(days=1)).date().isoformat()},
                         "every order is done in Odoo: the read goes back to the last sync only")
        self.assertEqual({item.status for item in self._sale(partial).item_ids}, {const.STATUS_ACCEPTED})


@tagged('post_install', '-at_install')
class TestMessageIdentity(AftersalesCase):

    def _messages(self, itemid, body):
        return self._record(itemid).rakuten_message_ids.filtered(lambda message: message.body == body)

    def _posts(self, order, text):
        return order.message_ids.filtered(lambda message: text in (message.body or ''))

    def test_same_text_on_different_days_or_undated_stays_two_messages_and_a_reread_adds_none(self):
        purchase = self.shop.add_sale(BASKET, shipping_type='Suivi', shipping_price=SHIPPING)
        self._run()
        order = self._sale(purchase).order_id
        itemid = purchase.items[0].itemid
        self.shop.add_message(itemid, 'Où en est ma commande ?', date=_paris(2026, 11, 2, 9, 30))
        self.shop.add_message(itemid, 'Où en est ma commande ?', date=_paris(2026, 11, 5, 9, 30))
        self.shop.add_message(itemid, 'Merci !', date='bientôt')  # a date the connector cannot read
        self.shop.add_message(itemid, 'Merci !', date='bientôt')
        self._aftersales()
        self.assertEqual(len(self._messages(itemid, 'Où en est ma commande ?')), 2)
        self.assertEqual(len(self._messages(itemid, 'Merci !')), 2, "two messages in one answer are two")
        self.assertFalse(any(self._messages(itemid, 'Merci !').mapped('date')))
        self.assertEqual(len(self._posts(order, 'Merci !')), 2)
        # A new message: the item is read again, with its whole history.
        self.shop.add_message(itemid, 'Et la facture ?', date=_paris(2026, 11, 6, 10, 0))
        self._aftersales()
        record = self._record(itemid)
        self.assertEqual(len(record.rakuten_message_ids), 5, "the history read again is not stored again")
        self.assertEqual(len(self._posts(order, 'Merci !')), 2)
        self.assertEqual(len(self._posts(order, 'Où en est ma commande ?')), 2)
        self.assertEqual(self.server.state.count('getiteminfos'), 2)

    def test_a_unit_named_in_a_note_is_matched_by_its_whole_id(self):
        self._stock(self.mug, 5)
        self._stock(self.tee, 5)
        purchase = self.shop.add_sale(BASKET, shipping_type='Suivi', shipping_price=SHIPPING)
        self._run()
        sale = self._sale(purchase)
        picking = sale.order_id.picking_ids
        longer, shorter = sale.item_ids[:2]
        longer.itemid, shorter.itemid = '7712345', '771234'  # "771234" is inside "7712345"
        picking._rakuten_tell_unexpected(longer)
        picking._rakuten_tell_unexpected(shorter)
        activity = picking.activity_ids.filtered(lambda activity: activity.summary == 'Rakuten units not to ship')
        self.assertIn('7712345: ', activity.note)
        self.assertIn('(771234: ', activity.note, "the shorter id is its own unit")
        picking._rakuten_tell_unexpected(shorter)
        self.assertEqual(activity.note.count('(771234: '), 1, "told once")
