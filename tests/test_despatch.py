from odoo.tests import Form, new_test_user, tagged

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
        triggers = self.env['ir.cron.trigger'].search_count([])
        self._validate(picking)
        self.assertEqual(picking.rakuten_despatch_state, 'to_send')
        self.assertGreater(self.env['ir.cron.trigger'].search_count([]), triggers, "despatch job triggered")
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
        self.assertEqual(picking.rakuten_despatch_state, 'to_send', "tried again at the next run")
        self.assertIn('could not be reached', picking.rakuten_despatch_error)
        for _attempt in range(4):
            self._despatch()
        self.assertEqual(picking.rakuten_despatch_state, 'failed', "a user is told after a few tries")
        self.assertTrue(picking.activity_ids)
        self.server.state.faults.clear()
        picking.action_rakuten_send()
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
        self.assertIn('Rakuten transporter', picking.message_ids[0].body)
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
