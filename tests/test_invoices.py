"""Invoices of Rakuten orders at delivery, on Odoo's French chart: the units that left, at the price paid, with
their shipping, posted and paid through the Rakuten journal; never a cancelled unit, never twice."""
from odoo import Command
from odoo.tests import new_test_user, tagged

from ..rakuten_connector import const
from .test_taxes import FrenchChartCase


class InvoiceCase(FrenchChartCase):
    """The shipped defaults on the French chart, invoicing at delivery, and a warehouse user who ships."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The shipped defaults (the French chart case accepts all), stock to cover the sales, and list prices
        # that are not what Rakuten buyers paid.
        cls.company.write({'rakuten_accept_policy': 'stock', 'rakuten_invoice_policy': 'delivery'})
        cls.warehouse = cls.env['stock.warehouse'].search([('company_id', '=', cls.company.id)], limit=1)
        cls.warehouse.rakuten_stock_source = True
        for product, price in ((cls.mug, 8.10), (cls.tee, 17.30)):
            product.list_price = price
            cls.env['stock.quant']._update_available_quantity(product, cls.warehouse.lot_stock_id, 50)
        cls.storeman = new_test_user(cls.env, login='rk_invoice_storeman', groups='stock.group_stock_user',
                                     company_id=cls.company.id)

    def _order(self, **kwargs):
        """Two mugs and a T-shirt, shipping paid on every unit (8.40 in all): 47.30 paid."""
        purchase = self.shop.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50'), ('RK-TEE', '19.90')],
                                      shipping_price=['4.90', '1.50', '2.00'], shipping_type='Suivi', **kwargs)
        self.env['rakuten.sale']._rakuten_import(self.company)
        sale = self.env['rakuten.sale'].search([('purchase_ref', '=', purchase.purchaseid)])
        self.assertEqual(sale.state, 'imported', sale.error_message)
        return purchase, sale.order_id

    def _deliver(self, order, quantities=None):
        """The open delivery validated by a warehouse user, ``quantities`` {product: qty} or everything."""
        picking = order.picking_ids.filtered(lambda picking: picking.state not in ('done', 'cancel'))
        picking.carrier_tracking_ref = '6A12345678901'
        for move in picking.move_ids.filtered(lambda move: move.state != 'cancel'):
            move.quantity = (quantities or {}).get(move.product_id, move.product_uom_qty)
        picking.with_user(self.storeman).with_context(skip_backorder=True, skip_sms=True,
                                                      picking_ids_not_to_backorder=[]).button_validate()
        self.assertEqual(picking.state, 'done')

    def _invoice_job(self):
        self.env['sale.order']._cron_rakuten_invoice()

    def _lines(self, invoice):
        return sorted((line.product_id.name, line.quantity, line.price_unit, line.price_total)
                      for line in invoice.invoice_line_ids)


@tagged('post_install', '-at_install')
class TestInvoices(InvoiceCase):

    def test_units_that_left_are_invoiced_at_the_price_paid_and_paid_through_rakuten(self):
        _purchase, order = self._order()
        self._invoice_job()
        self.assertFalse(order.invoice_ids, "nothing left yet: nothing invoiced")
        cron = self.env.ref('rakuten_connector.ir_cron_rakuten_invoice')
        triggers = self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)])
        self._deliver(order)
        self.assertTrue(self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)]) - triggers,
                        "the units that left wake the invoice job up")
        self._invoice_job()
        invoice = order.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, 'posted')
        self.assertEqual(invoice.ref, order.rakuten_purchase_ref)
        self.assertEqual(self._lines(invoice), sorted([
            ('Frais de port', 1, 8.40, 8.40), ('Mug « Café crème »', 2, 9.50, 19.00),
            ('T-shirt coton bio', 1, 19.90, 19.90)]))
        self.assertAlmostEqual(invoice.amount_total, 47.30, places=2)
        self.assertAlmostEqual(invoice.amount_untaxed, 39.42, places=2)  # 47.30 / 1.2, line by line
        self.assertAlmostEqual(invoice.amount_tax, 7.88, places=2)
        journal = self.company.rakuten_journal_id
        self.assertEqual((journal.type, journal.name), ('bank', 'Rakuten'))
        self.assertIn(invoice.payment_state, ('in_payment', 'paid'))
        payment = invoice.matched_payment_ids
        self.assertEqual((payment.journal_id, payment.amount), (journal, 47.30))
        self.assertEqual(payment.payment_method_line_id.name, "Rakuten", "not Odoo's Manual Payment")
        self._invoice_job()
        self.assertEqual(len(order.invoice_ids), 1, "a second run invoices nothing")
        self.assertEqual(len(invoice.matched_payment_ids), 1, "nor pays twice")

    def test_partial_delivery_then_the_rest_and_a_cancelled_unit_never_invoiced(self):
        purchase, order = self._order()
        purchase.items[2].status = const.STATUS_CANCELLED  # the T-shirt, cancelled on Rakuten before it left
        self.env['rakuten.sale']._rakuten_import(self.company)
        self._deliver(order, {self.mug: 1})
        self._invoice_job()
        first = order.invoice_ids
        self.assertEqual(self._lines(first), [('Mug « Café crème »', 1, 9.50, 9.50)],
                         "the unit that left; the shipping waits for the last units")
        self._deliver(order)
        self._invoice_job()
        second = order.invoice_ids - first
        self.assertEqual(self._lines(second), sorted([('Frais de port', 1, 6.40, 6.40),
                                                       ('Mug « Café crème »', 1, 9.50, 9.50)]),
                         "the last mug, with the shipping of the order's units (the T-shirt's refunded)")
        self.assertAlmostEqual(sum(order.invoice_ids.mapped('amount_total')), 9.50 * 2 + 6.40, places=2)
        self.assertFalse(order.invoice_ids.invoice_line_ids.filtered(lambda line: line.product_id == self.tee))

    def test_the_last_unit_cancelled_after_the_others_left_completes_the_order_and_its_shipping(self):
        # Found by the model-based ledger test: the units that left were invoiced without the shipping (it waits
        # for the last units), then Rakuten cancelled the last one: nothing looked at the order again.
        purchase, order = self._order()
        self._deliver(order, {self.tee: 0})  # the mugs leave; the T-shirt waits in a backorder
        self._invoice_job()
        self.assertEqual(self._lines(order.invoice_ids), [('Mug « Café crème »', 2, 9.50, 19.00)])
        purchase.items[2].status = const.STATUS_CANCELLED  # then Rakuten cancels the T-shirt
        self.env['rakuten.sale']._rakuten_import(self.company)
        self.assertEqual(order.order_line.filtered(lambda line: line.product_id == self.tee).product_uom_qty, 0)
        self._invoice_job()
        self.assertEqual(self._lines(order.invoice_ids.sorted('id')[1:]), [('Frais de port', 1, 6.40, 6.40)],
                         "the shipping of the mugs, now that every unit of the order left")
        self.assertAlmostEqual(sum(order.invoice_ids.mapped('amount_total')), 9.50 * 2 + 4.90 + 1.50, places=2)
        self._invoice_job()
        self.assertEqual(len(order.invoice_ids), 2, "and nothing more at the next run")

    def test_off_by_default(self):
        self.company.rakuten_invoice_policy = 'off'
        self.assertEqual(self.env['res.company'].create({'name': 'Autre'}).rakuten_invoice_policy, 'off')
        _purchase, order = self._order()
        self._deliver(order)
        self._invoice_job()
        self.assertFalse(order.invoice_ids)

    def test_a_unit_cancelled_after_it_left_is_not_invoiced(self):
        """Rakuten refunds the buyer the T-shirt and its shipping (its payout takes back both): neither is
        invoiced."""
        purchase, order = self._order()
        self._deliver(order)
        purchase.items[2].status = const.STATUS_CANCELLED  # the T-shirt, cancelled on Rakuten after it left
        self.env['rakuten.sale']._rakuten_import(self.company)
        self._invoice_job()
        self.assertEqual(self._lines(order.invoice_ids), sorted([
            ('Frais de port', 1, 6.40, 6.40), ('Mug « Café crème »', 2, 9.50, 19.00)]))

    def _refunds(self, order):
        return order.invoice_ids.filtered(lambda move: move.move_type == 'out_refund')

    def _return(self, order, quantities):
        """A warehouse user takes back ``quantities`` {product: qty} of the order's delivery."""
        picking = order.picking_ids.filtered(lambda picking: picking.state == 'done'
                                             and picking.picking_type_code == 'outgoing')
        wizard = self.env['stock.return.picking'].with_user(self.storeman).with_context(
            active_id=picking.id, active_ids=picking.ids, active_model='stock.picking').create({})
        for line in wizard.product_return_moves:
            line.quantity = quantities.get(line.product_id, 0)
        action = wizard.action_create_returns()
        back = self.env['stock.picking'].browse(action['res_id'])
        for move in back.move_ids:
            move.quantity = move.product_uom_qty
        back.with_user(self.storeman).with_context(skip_sms=True).button_validate()
        self.assertEqual(back.state, 'done')
        return back

    def test_a_unit_refunded_after_it_was_invoiced_gets_a_credit_note_refunded_through_rakuten(self):
        purchase, order = self._order()
        self._deliver(order)
        self._invoice_job()
        invoice = order.invoice_ids
        self.assertAlmostEqual(invoice.amount_total, 47.30, places=2)
        purchase.items[2].status = const.STATUS_CANCELLED  # Rakuten refunds the T-shirt after it was invoiced
        self.env['rakuten.sale']._rakuten_import(self.company)
        self._invoice_job()
        refund = self._refunds(order)
        self.assertEqual(len(refund), 1)
        self.assertEqual(refund.state, 'posted')
        self.assertEqual(self._lines(refund), sorted([('Frais de port', 1, 2.00, 2.00),
                                                       ('T-shirt coton bio', 1, 19.90, 19.90)]),
                         "the T-shirt and the shipping the buyer paid for it, as Rakuten refunds them")
        self.assertAlmostEqual(refund.amount_tax, round(19.90 - 19.90 / 1.2, 2) + round(2.00 - 2.00 / 1.2, 2),
                               places=2)
        self.assertEqual(refund.payment_state, 'paid', "refunded through Rakuten")
        payment = refund.matched_payment_ids
        self.assertEqual((payment.journal_id, payment.payment_type, payment.amount),
                         (self.company.rakuten_journal_id, 'outbound', 21.90))
        self._invoice_job()
        self.env['rakuten.sale']._rakuten_import(self.company)
        self._invoice_job()
        self.assertEqual(len(self._refunds(order)), 1, "credited once")
        self.assertEqual(order.order_line.filtered(lambda line: line.product_id == self.tee).qty_invoiced, 0)

    def test_a_return_gets_a_credit_note_and_a_refund_on_rakuten_credits_its_shipping_once(self):
        purchase, order = self._order()
        self._deliver(order)
        self._invoice_job()
        self._return(order, {self.mug: 1})
        self._invoice_job()
        refund = self._refunds(order)
        self.assertEqual(self._lines(refund), [('Mug « Café crème »', 1, 9.50, 9.50)],
                         "the mug that came back; its shipping stays the buyer's until Rakuten refunds it")
        self.assertEqual(refund.payment_state, 'paid')
        mug = next(item for item in purchase.items if item.sku == 'RK-MUG' and item.shipping_price == 1.50)
        mug.status = const.STATUS_CANCELLED  # Rakuten refunds the returned mug (and its shipping)
        self.env['rakuten.sale']._rakuten_import(self.company)
        self._invoice_job()
        second = self._refunds(order) - refund
        self.assertEqual(self._lines(second), [('Frais de port', 1, 1.50, 1.50)],
                         "the mug returned and refunded is credited once; its shipping now")
        self.assertAlmostEqual(sum(move.amount_total * (1 if move.move_type == 'out_invoice' else -1)
                                   for move in order.invoice_ids), 47.30 - 9.50 - 1.50, places=2)

    def test_a_kit_is_invoiced_by_the_kits_that_left(self):
        """A kit's components move, not the kit: the kits Odoo counts delivered are invoiced, with the shipping."""
        if 'mrp.bom' not in self.env:
            self.skipTest("Kits need the mrp module in the test database.")
        kit = self._rakuten_product('RK-KIT', 'Coffret mug et T-shirt', 25.0)
        kit.is_storable = False
        self.env['mrp.bom'].create({
            'product_tmpl_id': kit.product_tmpl_id.id, 'type': 'phantom',
            'bom_line_ids': [Command.create({'product_id': self.mug.id, 'product_qty': 1}),
                             Command.create({'product_id': self.tee.id, 'product_qty': 1})]})
        purchase = self.shop.add_sale([('RK-KIT', '27.90'), ('RK-MUG', '9.50')], shipping_price=['3.90', '1.00'],
                                      shipping_type='Suivi')
        self.env['rakuten.sale']._rakuten_import(self.company)
        order = self.env['sale.order'].search([('rakuten_purchase_ref', '=', purchase.purchaseid)])
        self.assertTrue(order)
        self._deliver(order)
        self._invoice_job()
        self.assertEqual(self._lines(order.invoice_ids), sorted([
            ('Coffret mug et T-shirt', 1, 27.90, 27.90), ('Frais de port', 1, 4.90, 4.90),
            ('Mug « Café crème »', 1, 9.50, 9.50)]))
        self._invoice_job()
        self.assertEqual(len(order.invoice_ids), 1)

    def test_a_users_credit_note_is_a_gesture_never_re_invoiced_nor_refunded_through_rakuten(self):
        """An accountant's credit note of 2.00 on a mug (a commercial gesture) is not a unit returned: the
        connector neither invoices the mug again nor refunds that credit note through Rakuten."""
        _purchase, order = self._order()
        self._deliver(order)
        self._invoice_job()
        invoice = order.invoice_ids
        gesture = invoice._reverse_moves([{'ref': 'Geste commercial'}])
        mug_line = gesture.invoice_line_ids.filtered(lambda line: line.product_id == self.mug)
        gesture.invoice_line_ids = [Command.unlink(line.id) for line in gesture.invoice_line_ids - mug_line]
        mug_line.write({'quantity': 1, 'price_unit': 2.00})
        gesture.action_post()
        self.assertFalse(gesture.rakuten_generated)
        order.rakuten_invoice_pending = True  # as a later return would mark it
        self._invoice_job()
        self.assertEqual(order.invoice_ids, invoice | gesture, "nothing invoiced again, nothing credited")
        self.assertEqual(gesture.payment_state, 'not_paid', "the accountant pays a gesture as they choose")

    def test_credit_notes_in_draft_are_refunded_once_posted(self):
        self.company.rakuten_refund_policy = 'draft'
        purchase, order = self._order()
        self._deliver(order)
        self._invoice_job()
        purchase.items[2].status = const.STATUS_CANCELLED
        self.env['rakuten.sale']._rakuten_import(self.company)
        self._invoice_job()
        refund = self._refunds(order)
        self.assertEqual(refund.state, 'draft')
        self._invoice_job()
        self.assertEqual(len(self._refunds(order)), 1, "a draft counts: nothing credited twice")
        refund.action_post()  # the accountant, once Rakuten refunded the buyer
        self._invoice_job()
        self.assertEqual(refund.payment_state, 'paid')
        self.assertEqual(refund.matched_payment_ids.journal_id, self.company.rakuten_journal_id)

    def test_only_orders_imported_once_switched_on(self):
        """Switching invoicing on never invoices (posts, pays) the orders delivered or imported before."""
        self.company.rakuten_invoice_policy = 'off'
        _purchase, before = self._order()
        self._deliver(before)
        self.company.rakuten_invoice_policy = 'delivery'
        self.env.cr.execute("UPDATE sale_order SET create_date = create_date - interval '1 minute' WHERE id = %s",
                            [before.id])
        before.invalidate_recordset(['create_date'])
        _purchase, after = self._order()
        self._deliver(after)
        self._invoice_job()
        self.assertFalse(before.invoice_ids, "imported before: left to the seller")
        self.assertEqual(len(after.invoice_ids), 1)
