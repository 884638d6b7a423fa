import unittest

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RakutenShopCase


@tagged('post_install', '-at_install')
class TestDespatch(RakutenShopCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colissimo.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')
        cls.relay_carrier.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_mondial_relay')

    def _order(self, skus, shipping_type='Suivi'):
        for product in (self.mug, self.tee):
            self._stock(product, 10)
        purchase = self.shop.add_sale([(sku, '9.50') for sku in skus], shipping_type=shipping_type)
        self._run()
        return purchase, self._sale(purchase).order_id

    def _validate(self, picking, quantities=None, tracking='6A12345678901'):
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
        action = picking.with_context(skip_backorder=bool(quantities) is False).button_validate()
        if isinstance(action, dict) and action.get('res_model') == 'stock.backorder.confirmation':
            Form.from_action(self.env, action).save().process()
        return picking

    def _despatch(self):
        self.env['stock.picking']._cron_rakuten_despatch()

    def test_validated_delivery_sends_carrier_and_tracking(self):
        purchase, order = self._order(['RK-MUG', 'RK-MUG', 'RK-TEE'])
        picking = order.picking_ids
        despatch_triggers = [('cron_id', '=', self.env.ref('rakuten_connector.ir_cron_rakuten_despatch').id)]
        triggers = self.env['ir.cron.trigger'].search_count(despatch_triggers)
        self._validate(picking)
        self.assertEqual(picking.rakuten_despatch_state, 'to_send')
        self.env.cr.flush()  # what a commit does first: the pre-commit hooks run
        self.assertEqual(self.env['ir.cron.trigger'].search_count(despatch_triggers), triggers + 1,
                         "despatch job triggered")
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 0, "nothing sent before commit")
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent', picking.rakuten_despatch_error)
        for item in purchase.items:
            self.assertEqual(item.tracking, {'transporter': 'Colissimo', 'number': '6A12345678901', 'url': ''})
            self.assertEqual(item.tracking_calls, 1)
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 1, "one file for the basket")
        self._despatch()
        picking.action_rakuten_send()
        self.assertEqual({item.tracking_calls for item in purchase.items}, {1}, "retries notify nobody twice")

    def test_partial_delivery_sends_only_what_left(self):
        purchase, order = self._order(['RK-MUG', 'RK-MUG', 'RK-TEE'])
        picking = order.picking_ids
        self._validate(picking, quantities={self.mug: 1, self.tee: 0})
        self._despatch()
        sent = [item for item in purchase.items if item.tracking]
        self.assertEqual([item.sku for item in sent], ['RK-MUG'])
        backorder = order.picking_ids - picking
        self._validate(backorder, tracking='6A99')
        self._despatch()
        self.assertEqual(sorted(item.tracking['number'] for item in purchase.items), ['6A12345678901', '6A99', '6A99'])
        self.assertEqual({item.tracking_calls for item in purchase.items}, {1})

    def test_multi_step_route_sends_at_the_last_step(self):
        self.warehouse.delivery_steps = 'pick_ship'
        purchase, order = self._order(['RK-TEE'])
        pick = order.picking_ids.filtered(lambda p: p.location_dest_id.usage != 'customer')
        self._validate(pick, tracking=False)
        self.assertFalse(pick.rakuten_despatch_state, "the pick step does not reach the buyer")
        ship = order.picking_ids - pick
        ship.action_assign()
        self._validate(ship)
        self._despatch()
        self.assertEqual(ship.rakuten_despatch_state, 'sent')
        self.assertEqual(purchase.items[0].tracking['number'], '6A12345678901')

    def test_rakuten_down_then_recovery(self):
        purchase, order = self._order(['RK-MUG'])
        picking = order.picking_ids
        self.server.state.inject('http503', 'importitemshippingstatus', times=1000)
        self._validate(picking)
        self.assertEqual(picking.state, 'done', "validation never waits for Rakuten")
        self._despatch()
        # An HTTP 503 does not say whether Rakuten applied the file: checked (read back) at the next run.
        self.assertEqual(picking.rakuten_despatch_state, 'to_check', "tried again at the next run")
        self.assertIn('is unavailable right now (HTTP503)', picking.rakuten_despatch_error)
        for _attempt in range(4):
            self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'failed', "a user is told after a few tries")
        self.assertTrue(picking.activity_ids)
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 5, "sent again after each read-back")
        self.server.state.faults.clear()
        picking.action_rakuten_send()
        self.assertEqual(picking.rakuten_despatch_state, 'to_check', "read back before it is sent again")
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent')
        self.assertFalse(picking.activity_ids)
        self.assertEqual(purchase.items[0].tracking_calls, 1)

    def test_missing_transporter_mapping(self):
        self.colissimo.rakuten_transporter_id = False
        purchase, order = self._order(['RK-MUG'])
        picking = self._validate(order.picking_ids)
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'failed')
        self.assertIn('Colissimo', picking.rakuten_despatch_error)
        self.assertTrue(picking.activity_ids)
        self.assertIn('Rakuten transporter', ''.join(picking.message_ids.mapped('body')))
        self.assertIsNone(purchase.items[0].tracking)

    def test_other_transporter_with_url(self):
        self.colissimo.write({'rakuten_transporter_id': self.env.ref('rakuten_connector.transporter_autre').id,
                              'tracking_url': 'https://suivi.example.fr/colis/<shipmenttrackingnumber>'})
        purchase, order = self._order(['RK-MUG'])
        self._validate(order.picking_ids, tracking='XY42')
        self._despatch()
        self.assertEqual(purchase.items[0].tracking,
                         {'transporter': 'Autre', 'number': 'XY42', 'url': 'https://suivi.example.fr/colis/XY42'})

    def test_one_bad_delivery_does_not_block_the_others(self):
        good_purchase, good = self._order(['RK-MUG'])
        bad_purchase, bad = self._order(['RK-TEE'])
        self._validate(good.picking_ids)
        self._validate(bad.picking_ids)
        bad_purchase.items[0].status = 'CANCELLED'  # Rakuten refuses this line
        self._despatch()
        self.assertEqual(good.picking_ids.rakuten_despatch_state, 'sent')
        self.assertEqual(bad.picking_ids.rakuten_despatch_state, 'failed')
        self.assertEqual(good_purchase.items[0].tracking_calls, 1)

    def test_one_trigger_per_transaction(self):
        """Validating many deliveries in one transaction asks for one despatch run, not one per delivery."""
        _first_purchase, first = self._order(['RK-MUG'])
        _second_purchase, second = self._order(['RK-TEE'])
        despatch_triggers = [('cron_id', '=', self.env.ref('rakuten_connector.ir_cron_rakuten_despatch').id)]
        self.env.cr.flush()
        triggers = self.env['ir.cron.trigger'].search_count(despatch_triggers)
        self._validate(first.picking_ids)
        self._validate(second.picking_ids)
        self.env.cr.flush()
        self.assertEqual(self.env['ir.cron.trigger'].search_count(despatch_triggers), triggers + 1)
        self.assertEqual((first | second).picking_ids.mapped('rakuten_despatch_state'), ['to_send', 'to_send'])

    def test_missing_tracking_is_warned_at_validation(self):
        purchase, order = self._order(['RK-MUG'], shipping_type='Suivi')
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        action = picking.button_validate()
        self.assertEqual(action['res_model'], 'rakuten.tracking.warning')
        self.assertNotEqual(picking.state, 'done')
        Form.from_action(self.env, action).save().action_validate()
        self.assertEqual(picking.state, 'done')
        self.assertEqual(picking.rakuten_despatch_state, 'to_send')

    def test_untracked_shipping_type_is_not_warned(self):
        purchase, order = self._order(['RK-MUG'], shipping_type='Normal')
        picking = order.picking_ids
        picking.move_ids.quantity = 1
        self.assertIs(picking.button_validate(), True)

    def test_warehouse_user_validates_without_rakuten_rights(self):
        purchase, order = self._order(['RK-MUG'])
        user = new_test_user(self.env, login='rk_magasinier', groups='stock.group_stock_user')
        picking = order.picking_ids.with_user(user)
        picking.carrier_tracking_ref = '6A1'
        picking.move_ids.quantity = 1
        picking.button_validate()
        self.assertEqual(picking.state, 'done')
        self.assertEqual(picking.rakuten_despatch_state, 'to_send')

    def test_two_despatch_jobs_never_send_twice(self):
        purchase, order = self._order(['RK-MUG'])
        picking = self._validate(order.picking_ids)
        with self.registry.cursor() as other:  # another worker is sending this company's despatches
            other.execute('SELECT pg_advisory_lock(%s, %s)', (0x52414B44, self.company.id))
            self._despatch()
            self.assertEqual(picking.rakuten_despatch_state, 'to_send', "left to the other worker")
            self.assertEqual(self.server.state.count('importitemshippingstatus'), 0)
            other.execute('SELECT pg_advisory_unlock(%s, %s)', (0x52414B44, self.company.id))
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent')
        self.assertEqual(purchase.items[0].tracking_calls, 1)

    def test_despatch_off_sends_nothing(self):
        self.company.rakuten_mark_despatched = False
        purchase, order = self._order(['RK-MUG'])
        picking = self._validate(order.picking_ids)
        self.assertFalse(picking.rakuten_despatch_state)

    # --- Warehouse user (no Sales rights) ---

    def _warehouse_user(self):
        return new_test_user(self.env, login='rk_preparateur', groups='stock.group_stock_user')

    def test_warehouse_user_sends_through_to_sent(self):
        purchase, order = self._order(['RK-MUG'])
        self.server.state.inject('http503', 'importitemshippingstatus', times=1000)
        picking = self._validate(order.picking_ids)
        for _attempt in range(5):
            self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'failed')
        self.server.state.faults.clear()
        mine = picking.with_user(self._warehouse_user())
        self.assertFalse(mine.env.user.has_group('sales_team.group_sale_salesman'))
        mine.action_rakuten_send()
        self._despatch()  # the click runs the job once its transaction is committed
        self.assertEqual(mine.rakuten_despatch_state, 'sent', mine.rakuten_despatch_error)
        self.assertFalse(mine.activity_ids, "the failure's activity is done")
        mine.action_rakuten_send()
        self.assertEqual(purchase.items[0].tracking_calls, 1, "each click does not send the file again")
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 6)

    # --- Which units go in the file ---

    def test_units_cancelled_on_rakuten_are_never_confirmed(self):
        purchase, order = self._order(['RK-MUG', 'RK-MUG', 'RK-MUG'])
        items = self._sale(purchase).item_ids.sorted('id')
        items[0].status = 'CANCELLED'  # before validation: the warehouse ships the 3 mugs anyway
        picking = self._validate(order.picking_ids)
        self.assertEqual(picking.rakuten_item_ids, items[1:])
        items[1].status = 'CANCELLED'  # after validation, before the job runs
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent', picking.rakuten_despatch_error)
        self.assertEqual([item.tracking_calls for item in purchase.items], [0, 0, 1])
        self.assertIn(items[0].itemid, picking.activity_ids.note)
        self.assertIn(items[1].itemid, ''.join(picking.message_ids.mapped('body')))

    def test_kit_counts_the_order_line_units_not_component_moves(self):
        if 'mrp.bom' not in self.env:
            raise unittest.SkipTest("Kits need the mrp module in the test database.")
        kit = self._product('RK-KIT', 'Coffret mug et sous-tasses', 25.0)
        kit.is_storable = False
        saucer = self._product('RK-SOUS-TASSE', 'Sous-tasse', 2.0)
        self.env['mrp.bom'].create({
            'product_tmpl_id': kit.product_tmpl_id.id, 'type': 'phantom',
            'bom_line_ids': [Command.create({'product_id': self.mug.id, 'product_qty': 1}),
                             Command.create({'product_id': saucer.id, 'product_qty': 2})],
        })
        self._stock(saucer, 10)
        purchase, order = self._order(['RK-KIT', 'RK-KIT'])
        picking = order.picking_ids
        self.assertEqual(len(picking.move_ids), 2, "one move per component")
        self._validate(picking, quantities={self.mug: 2, saucer: 2})  # 2 mugs but saucers for one kit only
        self._despatch()
        self.assertEqual(sorted(item.tracking_calls for item in purchase.items), [0, 1], "one whole kit left")
        self._validate(order.picking_ids - picking, tracking='6A77')
        self._despatch()
        self.assertEqual(sorted(item.tracking['number'] for item in purchase.items), ['6A12345678901', '6A77'])

    def test_dropship_delivery_is_despatched(self):
        if self.env['ir.module.module']._get('stock_dropshipping').state != 'installed':
            raise unittest.SkipTest("Dropship needs the stock_dropshipping module in the test database.")
        vendor = self.env['res.partner'].create({'name': 'Grossiste Tasses'})
        dropped = self._product('RK-DROP', 'Tasse expédiée par le fournisseur', 12.0)
        dropped.write({'route_ids': [Command.link(self.env.ref('stock_dropshipping.route_drop_shipping').id)],
                       'seller_ids': [Command.create({'partner_id': vendor.id, 'price': 5.0})]})
        # A vendor ships it: no stock of ours covers it, so the "stock covers" default would leave it waiting.
        self.company.rakuten_accept_policy = 'all'
        purchase = self.shop.add_sale([('RK-DROP', '12.00')], shipping_type='Suivi')
        self._run()
        order = self._sale(purchase).order_id
        order._get_purchase_orders().button_confirm()
        dropship = order.picking_ids
        self.assertTrue(dropship.is_dropship)
        self._validate(dropship, tracking='DS-1')
        self._despatch()
        self.assertEqual(dropship.rakuten_despatch_state, 'sent', dropship.rakuten_despatch_error)
        self.assertEqual(purchase.items[0].tracking,
                         {'transporter': 'Colissimo', 'number': 'DS-1', 'url': ''}, "the order's carrier")

    def test_return_sends_nothing(self):
        purchase, order = self._order(['RK-MUG', 'RK-TEE'])
        picking = self._validate(order.picking_ids)
        self._despatch()
        wizard = Form(self.env['stock.return.picking'].with_context(active_id=picking.id,
                                                                    active_model='stock.picking')).save()
        wizard.product_return_moves.quantity = 1
        returned = self.env['stock.picking'].browse(wizard.action_create_returns()['res_id'])
        self._validate(returned)
        self._despatch()
        self.assertFalse(returned.rakuten_despatch_state)
        self.assertEqual(picking.rakuten_item_ids, self._sale(purchase).item_ids, "the units stay with the delivery")
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 1)
        self.assertEqual([item.tracking_calls for item in purchase.items], [1, 1])

    def test_unit_delivered_after_a_return_is_confirmed(self):
        purchase, order = self._order(['RK-MUG', 'RK-MUG', 'RK-MUG'])
        picking = self._validate(order.picking_ids, quantities={self.mug: 2})
        self._despatch()
        wizard = Form(self.env['stock.return.picking'].with_context(active_id=picking.id,
                                                                    active_model='stock.picking')).save()
        wizard.product_return_moves.quantity = 1
        self._validate(self.env['stock.picking'].browse(wizard.action_create_returns()['res_id']))
        backorder = order.picking_ids.filtered(lambda p: p.backorder_id == picking)
        self._validate(backorder, tracking='6A-RELIQUAT')
        self._despatch()
        self.assertEqual(backorder.rakuten_despatch_state, 'sent')
        self.assertEqual(sorted(item.tracking['number'] for item in purchase.items),
                         ['6A-RELIQUAT', '6A12345678901', '6A12345678901'])

    # --- Validating several deliveries at once ---

    def test_tracking_warning_validates_the_whole_batch(self):
        _purchase, tracked_order = self._order(['RK-MUG'])
        _purchase, untracked_order = self._order(['RK-TEE'])
        tracked, untracked = tracked_order.picking_ids, untracked_order.picking_ids
        tracked.carrier_tracking_ref = '6A1'
        (tracked | untracked).move_ids.quantity = 1
        action = (tracked | untracked).button_validate()
        self.assertEqual(action['res_model'], 'rakuten.tracking.warning')
        wizard = Form.from_action(self.env, action).save()
        self.assertEqual(wizard.picking_ids, untracked, "only the untracked delivery is named")
        wizard.action_validate()
        self.assertEqual((tracked | untracked).mapped('state'), ['done', 'done'])

    # --- Integration switched off ---

    def test_integration_off_stops_hook_and_job(self):
        _purchase, early = self._order(['RK-MUG'])
        _purchase, late = self._order(['RK-TEE'])
        waiting = self._validate(early.picking_ids)
        self.company.rakuten_enabled = False
        self._despatch()
        self.assertEqual(waiting.rakuten_despatch_state, 'to_send', "kept for when the integration is back")
        self.assertFalse(self._validate(late.picking_ids).rakuten_despatch_state)
        with self.assertRaises(UserError):
            waiting.action_rakuten_send()
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 0)
        self.company.rakuten_enabled = True
        self._despatch()
        self.assertEqual(waiting.rakuten_despatch_state, 'sent')

    def test_despatch_setting_stays_reachable(self):
        self.company.rakuten_import_orders = False
        with Form(self.env['res.config.settings']) as settings:
            settings.rakuten_mark_despatched = False  # Form refuses to write an invisible field
        settings.save().execute()
        self.assertFalse(self.company.rakuten_mark_despatched)

    # --- Rakuten's answer to the file ---

    def test_answer_without_ok_is_not_taken_as_sent_nor_resent(self):
        purchase, order = self._order(['RK-MUG'])
        picking = self._validate(order.picking_ids)
        self.server.state.inject('bad_status', 'importitemshippingstatus')
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'failed')
        self.assertIn("'KO'", picking.rakuten_despatch_error)
        self.assertTrue(picking.activity_ids, "a user checks on Rakuten")
        self._despatch()
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 1, "never resent blindly")

    def test_queued_file_report_confirms_units_and_reports_line_errors(self):
        good_purchase, good = self._order(['RK-MUG'])
        bad_purchase, bad = self._order(['RK-TEE'])
        self._validate(good.picking_ids)
        self._validate(bad.picking_ids)
        self.server.state.inject('queued', 'importitemshippingstatus')
        self.server.state.import_polls = 1
        bad_purchase.items[0].status = 'CANCELLED'  # Rakuten refuses this line when it processes the file
        self._despatch()
        pickings = good.picking_ids | bad.picking_ids
        self.assertEqual(set(pickings.mapped('rakuten_despatch_state')), {'waiting'})
        self.assertTrue(good.picking_ids.rakuten_despatch_file)
        self._despatch()  # report still "En attente"
        self.assertEqual(set(pickings.mapped('rakuten_despatch_state')), {'waiting'})
        self._despatch()
        self.assertEqual(good.picking_ids.rakuten_despatch_state, 'sent')
        self.assertTrue(good.picking_ids.rakuten_item_ids.tracking_sent)
        self.assertEqual(bad.picking_ids.rakuten_despatch_state, 'failed')
        self.assertIn(bad_purchase.items[0].itemid, bad.picking_ids.rakuten_despatch_error)
        self.assertIn('CANCELLED', bad.picking_ids.rakuten_despatch_error)
        self.assertFalse(bad.picking_ids.rakuten_item_ids.tracking_sent)
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 1)

    def test_queued_file_whose_report_is_gone(self):
        purchase, order = self._order(['RK-MUG'])
        picking = self._validate(order.picking_ids)
        self.server.state.inject('queued', 'importitemshippingstatus')
        self._despatch()
        self.shop.imports.clear()  # Rakuten no longer knows the file
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'failed')
        self.assertIn('cannot be read', picking.rakuten_despatch_error)
        self.assertTrue(picking.activity_ids)

    # --- Once, exactly: an unknown outcome is read back from Rakuten, never resent blindly ---

    def _basket(self):
        """Two mugs and a tee at Rakuten prices (not the list prices), shipping paid, delivered and validated."""
        for product in (self.mug, self.tee):
            self._stock(product, 10)
        purchase = self.shop.add_sale([('RK-MUG', '8.90'), ('RK-MUG', '8.90'), ('RK-TEE', '17.50')],
                                      shipping_type='Suivi', shipping_price='4.90')
        self._run()
        order = self._sale(purchase).order_id
        self.assertEqual(order.order_line.filtered('product_id.is_storable').mapped('product_uom_qty'), [2, 1])
        self.assertAlmostEqual(order.amount_total, 8.90 * 2 + 17.50 + 4.90)
        return purchase, self._validate(order.picking_ids)

    def _shipped_on_rakuten(self, purchase):
        return [item.tracking_calls for item in purchase.items]

    def _answers_lost(self):
        """Rakuten applies the next despatch file, then answers after the client gave up (Odoo's tests raise
        any timeout under 10 seconds to 10)."""
        self.env['ir.config_parameter'].set_param('rakuten_connector.timeout', 10)
        self.server.state.inject('slow_answer', 'importitemshippingstatus', delay=10.5)

    def test_answer_lost_after_rakuten_applied_the_file_is_read_back_not_resent(self):
        purchase, picking = self._basket()
        self._answers_lost()
        self._despatch()
        self.assertEqual(self._shipped_on_rakuten(purchase), [1, 1, 1], "Rakuten applied the file")
        self.assertEqual(picking.rakuten_despatch_state, 'to_check', picking.rakuten_despatch_error)
        self.assertTrue(picking.rakuten_despatch_unsure)
        self.assertFalse(picking.rakuten_item_ids.filtered('tracking_sent'), "its answer never came")
        self.assertEqual(self.server.state.count('getiteminfos'), 0, "read back at the next run, not at once")
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent', picking.rakuten_despatch_error)
        self.assertFalse(picking.rakuten_despatch_unsure)
        self.assertEqual(picking.rakuten_item_ids.mapped('tracking_sent'), [True, True, True])
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 1, "never sent again")
        self.assertEqual(self.server.state.count('getiteminfos'), 3, "each unit read back once")
        self.assertEqual(self._shipped_on_rakuten(purchase), [1, 1, 1], "one shipped mail per unit")
        self.assertIn("confirmed without sending it again", ''.join(picking.message_ids.mapped('body')))
        # Reading an item marks its buyer messages read on Rakuten: the after-sales job reads them again.
        queued = self.env['rakuten.aftersale'].search([('itemid', 'in', picking.rakuten_item_ids.mapped('itemid'))])
        self.assertEqual(sorted(queued.mapped('itemid')), sorted(picking.rakuten_item_ids.mapped('itemid')))
        self.assertEqual(set(queued.mapped('to_read')), {True})
        self._despatch()
        self.assertEqual(self.server.state.count('getiteminfos'), 3, "a sent delivery is not read again")

    def test_sending_left_under_way_by_a_dead_worker_is_checked_then_only_the_missing_unit_goes(self):
        purchase, picking = self._basket()
        # A worker marked the delivery as being sent (committed), uploaded, and died before recording the
        # answer; its file reached Rakuten with two of the three units.
        lines = picking._rakuten_tracking_lines()
        self.company._rakuten_client().import_item_shipping_status(lines[:2])
        picking.write({'rakuten_despatch_state': 'sending', 'rakuten_despatch_unsure': True})
        self.server.state.inject('http503', 'getiteminfos', times=1000)  # Rakuten cannot be read for now
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'to_check', "the dead worker's sending is checked first")
        self.assertIn('could not be read back', picking.rakuten_despatch_error)
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 1, "nothing sent before it is read")
        self.server.state.faults.clear()
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent', picking.rakuten_despatch_error)
        self.assertEqual(self._shipped_on_rakuten(purchase), [1, 1, 1], "only the unit Rakuten lacked was sent")
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 2)
        self.assertEqual(purchase.items[2].tracking['number'], '6A12345678901')
        bodies = ''.join(picking.message_ids.mapped('body'))
        self.assertIn("already shows these units as shipped: marked as sent, not sent again: 2 × Mug « Café crème » "
                      "(RK-MUG).", bodies, "the units by product, not by item id")
        self.assertNotIn(lines[0].itemid, bodies)
        self.assertIn("tracking 6A12345678901, for T-shirt coton bio (RK-TEE).", bodies,
                      "the despatch sent by the job holds one unit, named by its product")

    def test_unit_refused_as_already_shipped_counts_as_sent(self):
        self.shop.refuse_reship = True
        self.addCleanup(setattr, self.shop, 'refuse_reship', False)
        purchase, picking = self._basket()
        # Confirmed on Rakuten without Odoo knowing it (say by hand in the back office), history silent.
        purchase.items[0].tracking = {'transporter': 'Colissimo', 'number': '6A12345678901', 'url': ''}
        purchase.items[0].tracking_calls = 1
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent', picking.rakuten_despatch_error)
        self.assertFalse(picking.activity_ids)
        self.assertEqual(picking.rakuten_item_ids.mapped('tracking_sent'), [True, True, True])
        self.assertEqual(self._shipped_on_rakuten(purchase), [1, 1, 1])
        self.assertIn("already shipped", ''.join(picking.message_ids.mapped('body')))

    def test_send_button_never_calls_rakuten_inside_the_click(self):
        """A warehouse user sends again a delivery whose file Rakuten applied without an answer: the click
        only marks it and triggers the job (Odoo may replay a whole request); the job reads it back."""
        purchase, picking = self._basket()
        self.server.state.inject('truncated', 'importitemshippingstatus')  # applied, its answer cut short
        self._despatch()
        self.server.state.inject('http503', 'getiteminfos', times=1000)
        for _attempt in range(4):
            self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'failed', "a user is told after a few tries")
        self.server.state.faults.clear()
        calls = len(self.server.state.calls)
        despatch_triggers = [('cron_id', '=', self.env.ref('rakuten_connector.ir_cron_rakuten_despatch').id)]
        self.env.cr.flush()
        triggers = self.env['ir.cron.trigger'].search_count(despatch_triggers)
        mine = picking.with_user(self._warehouse_user())
        self.assertFalse(mine.env.user.has_group('sales_team.group_sale_salesman'))
        mine.action_rakuten_send()
        self.assertEqual(len(self.server.state.calls), calls, "no Rakuten call inside the click")
        self.assertEqual(mine.rakuten_despatch_state, 'to_check', "its outcome is still unknown")
        self.env.cr.flush()
        self.assertEqual(self.env['ir.cron.trigger'].search_count(despatch_triggers), triggers + 1,
                         "the job runs once the click is committed")
        self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'sent', picking.rakuten_despatch_error)
        self.assertFalse(picking.activity_ids, "the failure's activity is done")
        self.assertEqual(self._shipped_on_rakuten(purchase), [1, 1, 1], "the buyer got one shipped mail")
        self.assertEqual(self.server.state.count('importitemshippingstatus'), 1)


@tagged('post_install', '-at_install')
class TestDespatchCompanies(RakutenShopCase):
    """Whatever goes wrong in one company's or one delivery's sending stays there."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.colissimo.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')
        cls.shop_b = cls.server.state.add_shop('boutique-marseille', 'token-marseille')
        cls.company_b = cls.env['res.company'].create({
            'name': 'Boutique Marseille', 'currency_id': cls.env.ref('base.EUR').id, 'sequence': 0,  # runs first
            'rakuten_enabled': True, 'rakuten_login': cls.shop_b.login, 'rakuten_token': cls.shop_b.token,
            'rakuten_base_url': cls.server.url, 'rakuten_default_carrier_id': cls.colissimo.id,
        })
        cls.company.sequence = 10
        cls.env.user.company_ids |= cls.company_b
        cls.warehouse_b = cls.env['stock.warehouse'].search([('company_id', '=', cls.company_b.id)], limit=1)
        cls.warehouse_b.rakuten_stock_source = True  # the shipped acceptance policy: the stock covers the sale

    def setUp(self):
        super().setUp()
        with self.server.state.lock:
            self.shop_b.sales.clear()

    def _delivered(self, company, shop, warehouse, tracking):
        for product in (self.mug, self.tee):
            self.env['stock.quant']._update_available_quantity(product, warehouse.lot_stock_id, 10)
        purchase = shop.add_sale([('RK-MUG', '8.90'), ('RK-TEE', '17.50'), ('RK-TEE', '17.50')],
                                 shipping_type='Suivi', shipping_price='4.90')
        company._rakuten_env(self.env['rakuten.sale'])._rakuten_import(company)
        order = self.env['sale.order'].search([('rakuten_purchase_ref', '=', purchase.purchaseid)])
        self.assertAlmostEqual(order.amount_total, 8.90 + 17.50 * 2 + 4.90)
        picking = order.picking_ids.with_company(order.company_id)
        picking.carrier_tracking_ref = tracking
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.button_validate()
        self.assertEqual(picking.rakuten_despatch_state, 'to_send')
        return purchase, picking

    @mute_logger('odoo.addons.rakuten_connector.models.stock_picking')
    def test_unexpected_error_in_one_delivery_stays_with_it(self):
        # A scanned GS1 barcode can hold a group separator, which no XML file can carry.
        bad_purchase, bad = self._delivered(self.company_b, self.shop_b, self.warehouse_b, '6A\x1dMARSEILLE')
        good_b_purchase, good_b = self._delivered(self.company_b, self.shop_b, self.warehouse_b, '6A-MARSEILLE')
        purchase, picking = self._delivered(self.company, self.shop, self.warehouse, '6A-PARIS')
        self.env['stock.picking']._cron_rakuten_despatch()
        self.assertEqual(bad.rakuten_despatch_state, 'failed')
        self.assertIn('Unexpected error', bad.rakuten_despatch_error)
        self.assertIn('XML', bad.rakuten_despatch_error)
        self.assertTrue(bad.activity_ids, "a user is told")
        self.assertEqual([item.tracking_calls for item in bad_purchase.items], [0, 0, 0])
        self.assertEqual(good_b.rakuten_despatch_state, 'sent', "the company's other deliveries went on")
        self.assertEqual([item.tracking['number'] for item in good_b_purchase.items], ['6A-MARSEILLE'] * 3)
        self.assertEqual(picking.rakuten_despatch_state, 'sent', "the next company went on")
        self.assertEqual([item.tracking_calls for item in purchase.items], [1, 1, 1])
