import time

from odoo.tests import tagged
from odoo.tools.convert import convert_file

from .common import RakutenShopCase, RakutenStockCase


@tagged('post_install', '-at_install')
class TestStockSync(RakutenStockCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_warehouse = cls.env['stock.warehouse'].create({'name': 'Réserve', 'code': 'RES'})

    def test_rules_from_defaults_and_overrides(self):
        self._stock(self.mug, 20)
        self.company.write({'rakuten_max_qty': 10, 'rakuten_max_percentage': 50})
        self.assertEqual((self.mug.rakuten_preview_qty, self.mug.rakuten_preview_rule), (5, 'percentage'))
        self.mug.write({'rakuten_custom_rules': True, 'rakuten_max_qty': 0, 'rakuten_max_percentage': 100,
                        'rakuten_end_when_qty': 20})
        self.mug.invalidate_recordset(['rakuten_preview_qty', 'rakuten_preview_rule'])
        self.assertEqual((self.mug.rakuten_preview_qty, self.mug.rakuten_preview_rule), (0, 'end_when'))

    def test_only_source_warehouses_count(self):
        self._stock(self.mug, 4)
        self.env['stock.quant']._update_available_quantity(self.mug, self.other_warehouse.lot_stock_id, 50)
        self.assertEqual(self.mug.rakuten_preview_qty, 4)
        self.other_warehouse.rakuten_stock_source = True
        self.mug.invalidate_recordset(['rakuten_preview_qty'])
        self.assertEqual(self.mug.rakuten_preview_qty, 54)

    def test_units_of_accepted_sales_not_yet_imported_are_held_back(self):
        self._stock(self.mug, 5)
        self.company.rakuten_default_carrier_id = False  # the sale cannot become an order yet
        self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50')], shipping_type='Inconnu')
        self._run()
        self.assertEqual(self.mug.rakuten_preview_qty, 3)

    def test_push_sends_only_changes_and_reads_the_report(self):
        self._stock(self.mug, 7)
        self._stock(self.tee, 3)
        self._sync()
        file = self._files()
        self.assertEqual(sorted(file.line_ids.mapped('sku')), ['RK-MUG', 'RK-TEE'])
        self.assertEqual(file.state, 'pending')
        self.assertEqual(self.mug_advert.stock, 0, "Rakuten has not processed the file yet")
        self._sync()
        self.assertEqual(file.state, 'done')
        self.assertEqual((self.mug_advert.stock, self.tee_advert.stock), (7, 3))
        self.assertEqual(self.mug.rakuten_published_qty, 7)
        self.assertEqual(self.mug.rakuten_listing_state, 'active')
        self.assertEqual(self.mug.rakuten_advert_ref, self.mug_advert.advertid)
        self.assertEqual(len(self._files()), 1, "nothing changed: no new file")
        self._stock(self.mug, 1)
        self._sync()
        new_file = self._files() - file
        self.assertEqual(new_file.line_ids.mapped('sku'), ['RK-MUG'], "only the SKU that changed")
        self.assertEqual(new_file.line_ids.quantity, 8)

    def test_zero_ends_and_stock_relists(self):
        self._stock(self.mug, 2)
        self._sync()
        self._sync()
        self._stock(self.mug, -2)
        self._sync()
        self._sync()
        self.assertEqual(self.mug_advert.stock, 0)
        self.assertEqual(self.mug.rakuten_listing_state, 'ended')
        self._stock(self.mug, 6)
        self._sync()
        self._sync()
        self.assertEqual(self.mug_advert.stock, 6)
        self.assertEqual(self.mug.rakuten_listing_state, 'active')

    def test_report_errors_land_on_the_product(self):
        orphan = self._product('RK-SANS-ANNONCE', 'Produit sans annonce', 5.0)
        self._stock(orphan, 3)
        self._stock(self.mug, 1)
        self._sync()
        self._sync()
        line = self._files().line_ids.filtered(lambda line: line.sku == 'RK-SANS-ANNONCE')
        self.assertEqual(line.state, 'error')
        self.assertEqual(orphan.rakuten_listing_state, 'error')
        self.assertIn('RK-SANS-ANNONCE', orphan.rakuten_push_result)
        self.assertEqual(self.mug.rakuten_listing_state, 'active', "the other SKUs go on")
        self.assertEqual(self._files().error_count, 1)
        self._sync()
        self.assertEqual(len(self._files()), 1, "a refused SKU is not sent again until its quantity changes")

    def test_quota_and_hourly_file_limit(self):
        self._stock(self.mug, 1)
        self.server.state.inject('quota', 'genericimportfile')
        message = self._sync()
        self.assertIn('quota', message)
        self.assertFalse(self._files())
        self._sync()
        self.assertEqual(len(self._files()), 1, "sent at the next run")
        for quantity in range(9):
            self._stock(self.mug, 1)
            self._sync()
        self.assertEqual(len(self._files()), 10)
        self._stock(self.mug, 1)
        message = self._sync()
        self.assertEqual(len(self._files()), 10, "never more than 10 files an hour")
        self.assertIn('last hour', message)

    def test_failed_file_is_sent_again(self):
        self._stock(self.mug, 4)
        self.server.state.import_polls = 0
        self._sync()
        file = self._files()
        self.shop.imports[file.file_ref].content = b'<not-xml'  # Rakuten could not read it
        self._sync()
        self.assertEqual(file.state, 'failed')
        self._sync()
        self.assertEqual(len(self._files()), 2, "the failed file's lines are sent again")

    def test_stock_move_triggers_a_debounced_push(self):
        cron = self.env.ref('rakuten_connector.ir_cron_rakuten_stock')
        Trigger = self.env['ir.cron.trigger']
        before = Trigger.search_count([('cron_id', '=', cron.id)])
        self._stock(self.mug, 1)
        quant = self.env['stock.quant'].search([('product_id', '=', self.mug.id),
                                                ('location_id', '=', self.warehouse.lot_stock_id.id)])
        for _adjustment in range(3):  # three inventory adjustments, three stock moves
            quant.inventory_quantity = quant.quantity + 1
            quant.action_apply_inventory()
        self.assertEqual(Trigger.search_count([('cron_id', '=', cron.id)]) - before, 1)

    def test_inventory_mapping(self):
        self.shop.add_advert('RK-ORPHELIN', stock=3)
        lonely = self._product('RK-PAS-EN-LIGNE', 'Pas en ligne', 5.0)
        message = self.env['rakuten.advert']._rakuten_refresh(self.company)
        adverts = self.env['rakuten.advert'].search([('company_id', '=', self.company.id)])
        self.assertEqual(len(adverts), 3)
        self.assertEqual(adverts.filtered(lambda a: not a.product_id).sku, 'RK-ORPHELIN')
        self.assertEqual(self.mug.rakuten_advert_ref, self.mug_advert.advertid)
        self.assertEqual(lonely.rakuten_listing_state, 'missing')
        self.assertIn('without Odoo product: 1', message)

    # --- Reports that cannot be read ---

    def test_expired_report_never_stops_the_sync(self):
        self._stock(self.mug, 4)
        self.server.state.import_polls = 5  # Rakuten takes its time
        self._sync()
        old = self._files()
        self.env.cr.execute("UPDATE rakuten_stock_import SET create_date = now() - interval '6 days' WHERE id = %s",
                            [old.id])
        old.invalidate_recordset(['create_date'])
        self.shop.imports.clear()  # and forgets the report after 5 days
        message = self._sync()
        self.assertEqual(old.state, 'lost')
        self.assertIn('5 days', old.message)
        self.assertIn(old._rakuten_label(), message, "the user sees why, and which file (when it was sent)")
        self.assertIn('5 days', self.mug.rakuten_push_result)
        self.assertEqual(sorted((self._files() - old).line_ids.mapped('sku')), sorted(old.line_ids.mapped('sku')),
                         "the next push goes out, with the SKUs whose report was lost")

    def test_unknown_file_id_never_stops_the_sync(self):
        self._stock(self.mug, 4)
        self._sync()
        unknown = self._files()
        self.shop.imports.clear()  # Rakuten does not know this file id
        self._stock(self.tee, 2)
        message = self._sync()
        self.assertEqual(unknown.state, 'lost')
        self.assertIn('fileid', unknown.message)
        self.assertEqual(set(unknown.line_ids.mapped('state')), {'failed'})
        new = self._files() - unknown
        self.assertEqual(sorted(new.line_ids.mapped('sku')), ['RK-MUG', 'RK-TEE'], "lost SKUs are sent again")
        self.assertIn(unknown._rakuten_label(), message)

    def test_answer_without_file_id(self):
        self._stock(self.mug, 4)
        self.server.state.inject('no_file_id', 'genericimportfile')
        message = self._sync()
        file = self._files()
        self.assertEqual(file.state, 'lost')
        self.assertIn('no file id', message)
        self._sync()
        self.assertEqual(len(self._files()), 2, "sent again, with a file id this time")
        self._sync()
        self.assertEqual(self.mug.rakuten_published_qty, 4)

    def test_report_read_failing_for_now_does_not_stop_the_push(self):
        self._stock(self.mug, 4)
        self._sync()
        first = self._files()
        self.server.state.inject('http503', 'genericimportreport', times=10)
        self._stock(self.tee, 2)
        self._sync()
        self.assertEqual(first.state, 'pending', "asked again at the next run")
        self.assertEqual((self._files() - first).line_ids.mapped('sku'), ['RK-TEE'])

    def test_long_retry_after_is_not_slept_on(self):
        self._stock(self.mug, 4)
        self._sync()
        self.server.state.inject('retry_after', 'genericimportreport', times=10, delay=3600)
        started = time.monotonic()
        message = self._sync()
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn('quota', message, "the run stops; the next run retries")
        self.server.state.faults.clear()
        self._sync()
        self.assertEqual(self._files().state, 'done')

    # --- Order of reports ---

    def test_older_report_never_overwrites_a_newer_one(self):
        self._stock(self.mug, 5)
        self._sync()
        older = self._files()
        self.shop.imports[older.file_ref].polls = -2  # Rakuten answers this file's report late
        self._stock(self.mug, -2)
        self._sync()
        newer = self._files() - older
        self._sync()
        self.assertEqual((older.state, newer.state), ('pending', 'done'))
        self.assertEqual(self.mug.rakuten_published_qty, 3)
        self._sync()
        self.assertEqual(older.state, 'done')
        self.assertEqual(set(older.line_ids.mapped('state')), {'done'}, "the file's own report is kept")
        self.assertEqual(self.mug.rakuten_published_qty, 3, "the older report does not overwrite the newer one")
        self.assertEqual(len(self._files()), 2, "and nothing is sent again")

    def test_reports_are_read_oldest_first(self):
        self._stock(self.mug, 5)
        self._sync()
        self._stock(self.mug, -2)
        self.server.state.import_polls = 5
        self._sync()
        self.server.state.calls.clear()
        self.server.state.import_polls = 0
        self._sync()
        asked = [params['fileid'] for _login, action, params in self.server.state.calls
                 if action == 'genericimportreport']
        self.assertEqual(asked, self._files().sorted('id').mapped('file_ref'))
        self.assertEqual(self.mug.rakuten_published_qty, 3)


@tagged('post_install', '-at_install')
class TestScheduledActions(RakutenShopCase):

    def test_administrator_changes_survive_updates(self):
        crons = [self.env.ref(f'rakuten_connector.ir_cron_rakuten_{name}') for name in ('import', 'despatch', 'stock')]
        for cron in crons:
            cron.write({'interval_number': 2, 'interval_type': 'hours', 'active': False})
        convert_file(self.env, 'rakuten_connector', 'data/ir_cron_data.xml', {}, mode='update')  # as -u does
        for cron in crons:
            self.assertEqual((cron.interval_number, cron.interval_type, cron.active), (2, 'hours', False), cron.name)
