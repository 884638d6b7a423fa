from odoo.tests import tagged

from .test_aftersales import AftersalesCase


@tagged('post_install', '-at_install')
class TestAftersalesConcurrency(AftersalesCase):
    """The ``getiteminfos`` reads of a run overlap (bounded pool, chunk by chunk); every answer is stored in the
    job's thread, item by item, as when they were read one at a time."""

    def _order_with_messages(self, units):
        """An imported order of ``units`` units, one buyer message each; the call counters start again."""
        purchase, order = self._order(*['RK-MUG'] * units)
        for item in purchase.items:
            self.shop.add_message(item.itemid, f'Question sur {item.itemid}')
        with self.server.state.lock:
            self.server.state.calls.clear()
            self.server.state.max_in_flight = 0
            self.server.state.latency = 0.03  # a network round trip per call: waits that can overlap
        return purchase, order

    def _posts(self, order):
        return order.message_ids.filtered(lambda message: 'Question sur' in (message.body or ''))

    def _records(self, purchase, *domain):
        return self.env['rakuten.aftersale'].search([('itemid', 'in', [i.itemid for i in purchase.items]), *domain])

    def _stored_itemids(self, purchase):
        return set(self._records(purchase).filtered(lambda record: not record.to_read and record.rakuten_message_ids)
                   .mapped('itemid'))

    @staticmethod
    def _read_on_rakuten(purchase):
        return {item.itemid for item in purchase.items if all(m['status'] == 'READ' for m in item.messages)}

    def test_reads_overlap_within_the_configured_bound(self):
        self._set_workers(3)
        purchase, order = self._order_with_messages(7)
        self.assertTrue(self._aftersales())
        self.assertEqual(self.company.rakuten_aftersales_state, 'ok')
        self.assertEqual(self.server.state.count('getiteminfos'), 7, "one read per item, never twice")
        self.assertTrue(1 < self.server.state.max_in_flight <= 3)
        self.assertEqual(self._stored_itemids(purchase), {item.itemid for item in purchase.items})
        self.assertEqual(len(self._posts(order)), 7)
        self.assertEqual(self.shop.unread(), 0)

    def test_one_worker_reads_one_item_at_a_time(self):
        self._set_workers(1)
        purchase, _order = self._order_with_messages(3)
        self._aftersales()
        self.assertEqual(self.server.state.max_in_flight, 1)
        self.assertEqual(len(self._stored_itemids(purchase)), 3)

    def test_quota_in_a_chunk_stores_what_was_read_and_the_next_run_reads_the_rest(self):
        self._set_workers(3)
        purchase, order = self._order_with_messages(8)
        # Chunks of 3: the first is read; in the second, one call is answered and two get the quota.
        self.server.state.inject('quota', 'getiteminfos', times=100, after=4)
        self._aftersales()
        self.assertEqual(self.company.rakuten_aftersales_state, 'failed')
        self.assertIn('quota', self.company.rakuten_aftersales_message)
        self.assertEqual(self.server.state.count('getiteminfos'), 6, "no call after the chunk of the quota")
        stored = self._stored_itemids(purchase)
        self.assertEqual(len(stored), 4)
        self.assertEqual(stored, self._read_on_rakuten(purchase), "every answer received was stored")
        to_read = self._records(purchase, ('to_read', '=', True))
        self.assertEqual(set(to_read.mapped('itemid')), {item.itemid for item in purchase.items} - stored)
        self.assertFalse(to_read.rakuten_message_ids)
        self.assertEqual(len(self._posts(order)), 4, "what was read is shown")
        self.server.state.faults.clear()
        self._aftersales()
        self.assertEqual(self.company.rakuten_aftersales_state, 'ok')
        self.assertEqual(self.server.state.count('getiteminfos'), 10, "only the items left were read")
        self.assertEqual(self._stored_itemids(purchase), {item.itemid for item in purchase.items})
        self.assertEqual(len(self._posts(order)), 8)

    def test_an_item_rakuten_refuses_is_isolated_from_its_chunk(self):
        self._set_workers(4)
        purchase, order = self._order_with_messages(4)
        self.server.state.inject('parameter', 'getiteminfos', times=1, after=1)
        self._aftersales()
        self.assertEqual(self.company.rakuten_aftersales_state, 'ok', "the run went to its end")
        self.assertTrue(self.server.state.max_in_flight > 1)
        records = self._records(purchase)
        refused = records.filtered('error_message')
        self.assertEqual(len(refused), 1)
        self.assertIn('Rakuten rejected the request', refused.error_message)
        self.assertFalse(refused.to_read or refused.rakuten_message_ids, "Rakuten did not serve it")
        self.assertEqual(self.shop.unread(), 1, "its message is still unread on Rakuten")
        self.assertEqual(self._stored_itemids(purchase), set((records - refused).mapped('itemid')))
        self.assertEqual(len(self._posts(order)), 3)

    def test_items_read_again_are_not_stored_twice(self):
        self._set_workers(2)
        purchase, order = self._order_with_messages(3)
        for item in purchase.items:  # an open claim keeps each item in the to-do list: read at every run
            self.shop.open_claim(item.itemid)
        self._aftersales()
        self.shop.add_message(purchase.items[0].itemid, 'Question sur la suite')
        self._aftersales()
        self.assertEqual(self.server.state.count('getiteminfos'), 6)
        records = self._records(purchase)
        self.assertEqual(len(records.rakuten_message_ids), 4)
        self.assertEqual(len(set(records.rakuten_message_ids.mapped('key'))), 4)
        self.assertEqual(len(self._posts(order)), 4)
        self.assertEqual(set(records.mapped('claim_state')), {'NEW'})
