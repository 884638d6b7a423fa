"""Rakuten's payouts booked on Odoo's French chart: each transfer once, to the cent — the units it pays matched
with their invoices' payments, Rakuten's commissions and subscription on its bill with their deductible VAT, the
net on the internal transfer account; what cannot be booked or matched waits with its reason."""
from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from ..rakuten_connector import const
from ..rakuten_connector.fake_server import state as fake_state
from .test_invoices import InvoiceCase


def _next_payout_day(after):
    """The first Monday or Thursday strictly after ``after``."""
    day = after + timedelta(days=1)
    while day.weekday() not in const.PAYOUT_WEEKDAYS:
        day += timedelta(days=1)
    return day


@tagged('post_install', '-at_install')
class TestPayouts(InvoiceCase):
    """The invoices' cases (the shipped defaults, stock, a basket of 2 mugs and a T-shirt, 47.30 paid with
    8.40 of shipping) plus the payouts of their units. The fake's tariff: 12 % of the price, 10 % of the
    shipping, VAT 20 % on both, subscription 39.99 excl. tax."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(cls.env, login='rk_payout_accountant', groups='account.group_account_manager',
                                       company_id=cls.company.id)
        cls.biller = new_test_user(cls.env, login='rk_payout_biller', groups='account.group_account_invoice',
                                   company_id=cls.company.id)
        cls.salesman = new_test_user(cls.env, login='rk_payout_salesman', groups='sales_team.group_sale_salesman',
                                     company_id=cls.company.id)
        cls.carrier.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')

    def setUp(self):
        super().setUp()
        with self.server.state.lock:
            self.shop.operations.clear()
            self.shop.compensations.clear()
            self.shop.license_fee_periods.clear()
            self.shop.pending_adjustments.clear()
            self.shop.pending_fee_assets.clear()
        self.day = _next_payout_day(date.today())

    # --- helpers ---------------------------------------------------------------------------------------

    def _shipped_and_invoiced(self):
        """A basket imported, delivered, its despatch sent to Rakuten and its invoice paid through Rakuten."""
        purchase, order = self._order()
        self._deliver(order)
        self.env['stock.picking']._cron_rakuten_despatch()
        picking = order.picking_ids
        self.assertTrue(all(item.tracking for item in purchase.items),
                        (picking.rakuten_despatch_state, picking.rakuten_despatch_error))
        self._invoice_job()
        self.assertEqual(order.invoice_ids.payment_state, 'paid', "the buyer paid Rakuten at checkout")
        return purchase, order

    def _receive(self, purchase, items=None):
        for item in items or purchase.items:
            self.shop.receive(item.itemid)

    def _payout_run(self):
        self.env['rakuten.payout']._rakuten_payout_run(self.company)

    def _payouts(self):
        return self.env['rakuten.payout'].search([('company_id', '=', self.company.id)], order='date, id')

    def _wallet_lines(self, order):
        wallet = self.company.rakuten_wallet_account_id
        return order.invoice_ids.matched_payment_ids.move_id.line_ids.filtered(lambda line: line.account_id == wallet)

    def _balances(self, move):
        """{account code: balance} of an entry."""
        balances = {}
        for line in move.line_ids:
            balances[line.account_id.code] = round(balances.get(line.account_id.code, 0.0) + line.balance, 2)
        return balances

    # --- tests -----------------------------------------------------------------------------------------

    def test_a_transfer_is_booked_once_to_the_cent(self):
        """Two baskets received: 2 × 47.30 paid by the buyers, 2 × 6.62 of commissions (5.51 + 1.11 VAT) and
        the month's subscription (39.99 + 8.00 VAT) kept: 33.37 transferred."""
        first, first_order = self._shipped_and_invoiced()
        second, second_order = self._shipped_and_invoiced()
        self._receive(first)
        self._receive(second)
        self.shop.pay_out(self.day)
        moves_before = self.env['account.move'].search_count([])
        self._payout_run()
        payout = self._payouts()
        self.assertEqual(len(payout), 1, self.company.rakuten_job_status_ids.mapped('message'))
        self.assertEqual(payout.state, 'booked', payout.reason)
        self.assertFalse(payout.to_reconcile, payout.reason)
        self.assertAlmostEqual(payout.amount, 33.37, places=2)
        self.assertAlmostEqual(payout.items_amount, 94.60, places=2)
        self.assertAlmostEqual(payout.fees_amount, 61.23, places=2)
        self.assertEqual(sorted((line.kind, round(line.amount, 2)) for line in payout.line_ids), sorted(
            [('paid', 12.44), ('paid', 9.45), ('paid', 18.79)] * 2 + [('fee', -47.99)]))

        bill = payout.bill_id
        self.assertEqual((bill.move_type, bill.state, bill.partner_id), ('in_invoice', 'posted',
                                                                         self.env.ref('rakuten_connector.res_partner_rakuten')))
        self.assertEqual(bill.ref, payout.invoice_number)
        self.assertTrue(bill.ref)
        self.assertAlmostEqual(bill.amount_untaxed, 2 * 5.51 + 39.99, places=2)
        self.assertAlmostEqual(bill.amount_tax, 2 * 1.11 + 8.00, places=2)
        self.assertAlmostEqual(bill.amount_total, 61.23, places=2)
        self.assertEqual(bill.payment_state, 'paid', "the transfer paid Rakuten's bill")
        self.assertEqual(set(bill.invoice_line_ids.account_id.mapped('code')), {'622200'})
        vat_lines = bill.line_ids.filtered('tax_line_id')
        self.assertAlmostEqual(sum(vat_lines.mapped('balance')), 10.22, places=2,
                               msg="Rakuten's VAT (rounded per amount) is the deductible VAT, whatever Odoo's rounding")
        self.assertTrue(all(code.startswith('4456') for code in vat_lines.account_id.mapped('code')))

        move = payout.move_id
        self.assertEqual((move.state, move.journal_id), ('posted', self.company.rakuten_journal_id))
        wallet = self.company.rakuten_wallet_account_id
        balances = self._balances(move)
        self.assertEqual(balances[wallet.code], -94.60, "the units paid leave what Rakuten owes")
        self.assertEqual(balances[self.company.transfer_account_id.code], 33.37, "the net goes to the bank")
        self.assertEqual(balances[bill.partner_id.property_account_payable_id.code], 61.23)
        for order in (first_order, second_order):
            self.assertTrue(self._wallet_lines(order))
            self.assertTrue(all(self._wallet_lines(order).mapped('reconciled')),
                            "each invoice's payment is matched with the units Rakuten paid")
        owed = self.env['account.move.line'].search(self.env['rakuten.payout']._rakuten_owed_action()['domain'])
        self.assertFalse(owed, "Rakuten owes nothing more")
        self.assertFalse(payout.differs, "Rakuten kept what its billing said")

        self._payout_run()
        self.shop.pay_out(_next_payout_day(self.day))  # nothing new to pay: no transfer
        self._payout_run()
        self.assertEqual(self._payouts(), payout, "a second run books nothing")
        self.assertEqual(self.env['account.move'].search_count([]), moves_before + 2, "one entry, one bill")

    def test_a_commission_changed_since_billing_is_shown(self):
        purchase, _order = self._shipped_and_invoiced()
        units = self.env['rakuten.sale.item'].search([('itemid', 'in', [item.itemid for item in purchase.items])])
        self.assertEqual(sorted(round(fees, 2) for fees in units.mapped('billed_fees')), [1.55, 1.96, 3.11],
                         "billing's commissions and their VAT, per unit")
        self._receive(purchase)
        # Rakuten's tariff (the fake's) changed since the billing was read: it keeps 15 % of the prices.
        with patch.object(fake_state, 'COMMISSION_RATE', Decimal('15')):
            self.shop.pay_out(self.day)
            self._payout_run()
        payout = self._payouts()
        self.assertEqual((payout.state, payout.to_reconcile), ('booked', False), payout.reason)
        self.assertTrue(payout.differs)
        self.assertEqual(sorted(payout.line_ids.filtered('differs').mapped('itemid')),
                         sorted(item.itemid for item in purchase.items))

    def test_units_paid_at_different_transfers_and_what_rakuten_still_owes(self):
        """A unit received first is paid alone; the other two are paid 23 days after the order."""
        self.addCleanup(setattr, self.shop, 'license_fee', self.shop.license_fee)
        self.shop.license_fee = None
        purchase, order = self._shipped_and_invoiced()
        self._receive(purchase, purchase.items[:1])  # the first mug: 9.50 + 4.90 of shipping
        self.shop.pay_out(self.day)
        self._payout_run()
        first = self._payouts()
        self.assertEqual((first.state, first.to_reconcile), ('booked', False), first.reason)
        self.assertAlmostEqual(first.amount, 12.44, places=2)
        owed = self.env['account.move.line'].search(self.env['rakuten.payout']._rakuten_owed_action()['domain'])
        self.assertAlmostEqual(sum(owed.mapped('amount_residual')), 47.30 - 14.40, places=2,
                               msg="Rakuten still owes the T-shirt and the second mug")
        self.assertEqual(owed.partner_id, order.partner_invoice_id.commercial_partner_id)

        later = self.day + timedelta(days=const.PAYOUT_DAYS_AFTER_ORDER)
        while later.weekday() not in const.PAYOUT_WEEKDAYS:
            later += timedelta(days=1)
        self.shop.pay_out(later)
        self._payout_run()
        second = self._payouts() - first
        self.assertEqual((second.state, second.to_reconcile), ('booked', False), second.reason)
        self.assertAlmostEqual(second.amount, 9.45 + 18.79, places=2)
        self.assertTrue(all(self._wallet_lines(order).mapped('reconciled')))
        self.assertFalse(self.env['account.move.line'].search(
            self.env['rakuten.payout']._rakuten_owed_action()['domain']))

    def test_taken_back_adjusted_and_subscription_refunded(self):
        """A unit cancelled after it was paid is taken back with its commissions (and matched with its credit
        note), an adjustment is booked on its own account, a refunded subscription on Rakuten's credit note."""
        purchase, order = self._shipped_and_invoiced()
        self._receive(purchase)
        self.shop.pay_out(self.day)
        self._payout_run()
        purchase.items[2].status = const.STATUS_CANCELLED  # the T-shirt, refunded by Rakuten after it was paid
        self.shop.add_adjustment(purchase.items[0].itemid, '3.30')
        period = self.day.strftime('%m/%Y')
        self.shop.refund_license_fee(period)
        next_day = _next_payout_day(self.day)
        self.shop.pay_out(next_day)
        self._payout_run()
        second = self._payouts()[1:]
        self.assertEqual(second.state, 'booked', second.reason)
        # -18.79 (the T-shirt's net) + 3.30 + 47.99 (the subscription given back), unless the next transfer
        # starts a new month (its subscription is then charged too).
        expected = -18.79 + 3.30 + 47.99 - (47.99 if next_day.month != self.day.month else 0)
        self.assertAlmostEqual(second.amount, expected, places=2)
        balances = self._balances(second.move_id)
        self.assertEqual(balances[self.company.rakuten_wallet_account_id.code], 21.90,
                         "the T-shirt's price and shipping are owed to the buyer again")
        self.assertEqual(balances['758000'], -3.30, "the adjustment, as income")
        bill = second.bill_id
        if next_day.month == self.day.month:
            self.assertEqual(bill.move_type, 'in_refund')
            self.assertAlmostEqual(bill.amount_total, 2.39 + 0.48 + 0.20 + 0.04 + 47.99, places=2,
                                   msg="the T-shirt's commissions and the subscription given back")
        self.assertEqual((bill.state, bill.amount_residual), ('posted', 0.0), "settled by the transfer")
        self.assertTrue(second.to_reconcile, "the T-shirt taken back waits for its credit note")
        self.assertIn(purchase.items[2].itemid, second.reason)
        self.env['rakuten.sale']._rakuten_import(self.company)  # Odoo learns of the refund: a credit note
        self._invoice_job()
        refund = order.invoice_ids.filtered(lambda move: move.move_type == 'out_refund')
        self.assertAlmostEqual(refund.amount_total, 21.90, places=2)
        self._payout_run()
        self.assertFalse(second.to_reconcile, second.reason)
        self.assertFalse(second.activity_ids)
        self.assertTrue(all(self._wallet_lines(order).mapped('reconciled')),
                        "the credit note's refund through Rakuten meets the unit Rakuten took back")

    def test_details_that_do_not_add_up_wait_and_are_booked_by_the_accountant(self):
        purchase, order = self._shipped_and_invoiced()
        self._receive(purchase)
        self.shop.pay_out(self.day)
        operation = self.shop.operations[-1]
        operation.amount += 5  # a commercial gesture Rakuten's detail does not show
        moves_before = self.env['account.move'].search_count([])
        self._payout_run()
        payout = self._payouts()
        self.assertEqual(payout.state, 'waiting')
        # 47.30 - 6.62 - 47.99 - 5 + 5: what the lines add up to
        self.assertIn('7.31\N{NO-BREAK SPACE}€', payout.reason)
        self.assertEqual(self.env['account.move'].search_count([]), moves_before, "nothing booked")
        activity = payout.activity_ids
        self.assertEqual(activity.user_id, self.env['res.company'].browse(self.company.id)._rakuten_accountant())
        self._payout_run()
        self.assertEqual(len(payout.activity_ids), 1, "told once")

        with self.assertRaises(AccessError):
            payout.with_user(self.biller).action_rakuten_book_difference()
        payout.with_user(self.biller).action_rakuten_retry()
        self.assertEqual(payout.state, 'waiting', "a retry books nothing while the detail does not add up")
        payout.with_user(self.accountant).action_rakuten_book_difference()
        self.assertEqual(payout.state, 'booked', payout.reason)
        self.assertFalse(payout.activity_ids)
        self.assertEqual(self._balances(payout.move_id)['758000'], -5.0, "the undetailed gesture, as income")
        self.assertAlmostEqual(payout.amount, -2.31, places=2)
        self.assertTrue(all(self._wallet_lines(order).mapped('reconciled')))

    def test_faults_book_nothing_twice_and_lose_nothing(self):
        purchase, _order = self._shipped_and_invoiced()
        self._receive(purchase)
        self.shop.pay_out(self.day)
        self.server.state.inject('quota', 'getoperations')
        with mute_logger('odoo.addons.rakuten_connector.models.rakuten_payout'):
            self._payout_run()
        self.assertFalse(self._payouts())
        status = self.company.rakuten_job_status_ids.filtered(lambda status: status.job == 'payout')
        self.assertEqual(status.state, 'failed')
        self.server.state.inject('quota', 'getcompensationdetails')
        with mute_logger('odoo.addons.rakuten_connector.models.rakuten_payout'):
            self._payout_run()
        self.assertEqual(self._payouts().state, 'to_book', "recorded, booked at the next run")
        self.server.state.inject('inclusive_dates', 'getoperations')
        self._payout_run()
        payout = self._payouts()
        self.assertEqual((len(payout), payout.state), (1, 'booked'), payout.reason)
        self.shop.pay_out(_next_payout_day(self.day + timedelta(days=40)))  # the next month's subscription
        self.server.state.inject('inclusive_dates', 'getoperations')
        self._payout_run()
        self.assertEqual(len(self._payouts()), 2, "the operation of the last date read is not booked again")
        self.assertEqual(len(self._payouts().move_id), 2)

    def test_units_invoiced_before_the_switch_wait_for_the_accountant(self):
        self.company.rakuten_invoice_policy = 'off'
        purchase, order = self._order()
        self._deliver(order)
        self.env['stock.picking']._cron_rakuten_despatch()
        self.company.rakuten_invoice_policy = 'delivery'
        self._receive(purchase)
        self.shop.pay_out(self.day)
        self._payout_run()
        payout = self._payouts()
        self.assertEqual(payout.state, 'booked', payout.reason)
        self.assertTrue(payout.to_reconcile)
        for item in purchase.items:
            self.assertIn(item.itemid, payout.reason)
        self.assertTrue(payout.activity_ids)

    def test_a_cancelled_payment_leaves_its_units_listed_and_the_run_goes_on(self):
        """An accountant cancelled the Rakuten payment of an invoice: its units cannot be matched; the transfer is
        booked, they are listed, and the other order's units are matched."""
        purchase_a, order_a = self._shipped_and_invoiced()
        purchase_b, order_b = self._shipped_and_invoiced()
        payment = order_a.invoice_ids.matched_payment_ids
        payment.action_draft()
        payment.action_cancel()
        self._receive(purchase_a)
        self._receive(purchase_b)
        self.shop.pay_out(self.day)
        self._payout_run()
        payout = self._payouts()
        self.assertEqual((payout.state, payout.to_reconcile), ('booked', True), payout.reason)
        for item in purchase_a.items:
            self.assertIn(item.itemid, payout.reason)
        self.assertTrue(all(self._wallet_lines(order_b).mapped('reconciled')))
        self._payout_run()
        self.assertEqual(payout.state, 'booked', "a second run goes on")

    def test_rights(self):
        purchase, _order = self._shipped_and_invoiced()
        self._receive(purchase)
        self.shop.pay_out(self.day)
        self._payout_run()
        payout = self._payouts()
        self.assertEqual(payout.with_user(self.biller).amount, payout.amount, "billing users read payouts")
        with self.assertRaises(AccessError):
            payout.with_user(self.biller).write({'amount': 0})
        with self.assertRaises(AccessError):
            payout.with_user(self.accountant).write({'amount': 0})
        with self.assertRaises(AccessError):
            self.env['rakuten.payout'].with_user(self.salesman).search([])
        other = new_test_user(self.env, login='rk_payout_other', groups='account.group_account_manager',
                              company_id=self.env['res.company'].create({'name': 'Autre société'}).id)
        self.assertFalse(self.env['rakuten.payout'].with_user(other).search([]),
                         "another company's accountant sees none of them")

    def test_two_companies_each_book_their_own_transfers(self):
        """Two companies on the French chart, each with its Rakuten shop: each books its own transfers on its own
        accounts, and one's accountant sees none of the other's."""
        company_b = self.setup_other_company(name='Boutique Lyon')['company']
        shop_b = self.server.state.add_shop('boutique-lyon-virements', 'token-lyon-virements')
        self.env.user.company_ids |= company_b
        vat_b = self.env['account.chart.template'].with_company(company_b).ref('tva_normale')
        (self.mug | self.tee | self.carrier.product_id).taxes_id |= vat_b
        warehouse_b = self.env['stock.warehouse'].search([('company_id', '=', company_b.id)], limit=1)
        self.env['stock.quant']._update_available_quantity(self.mug, warehouse_b.lot_stock_id, 10)
        company_b.write({'rakuten_enabled': True, 'rakuten_login': shop_b.login, 'rakuten_token': shop_b.token,
                         'rakuten_base_url': self.server.url, 'rakuten_default_carrier_id': self.carrier.id,
                         'rakuten_invoice_policy': 'delivery'})
        purchase_a, order_a = self._shipped_and_invoiced()
        purchase_b = shop_b.add_sale([('RK-MUG', '9.50'), ('RK-MUG', '9.50')], shipping_price=['3.00', '1.00'],
                                     shipping_type='Suivi')
        self.env['rakuten.sale']._rakuten_import(company_b)
        order_b = self.env['sale.order'].search([('rakuten_purchase_ref', '=', purchase_b.purchaseid)])
        self.assertEqual(order_b.company_id, company_b)
        picking_b = order_b.picking_ids
        picking_b.carrier_tracking_ref = '6A99999999999'
        for move in picking_b.move_ids:
            move.quantity = move.product_uom_qty
        picking_b.with_context(skip_backorder=True, skip_sms=True).button_validate()
        self.env['stock.picking']._cron_rakuten_despatch()
        self._invoice_job()
        self.assertAlmostEqual(order_b.invoice_ids.amount_total, 23.00, places=2)
        self._receive(purchase_a)
        for item in purchase_b.items:
            shop_b.receive(item.itemid)
        self.shop.pay_out(self.day)
        shop_b.pay_out(self.day)
        self.env['rakuten.payout']._cron_rakuten_payouts()
        payout_a = self._payouts()
        payout_b = self.env['rakuten.payout'].search([('company_id', '=', company_b.id)])
        self.assertEqual((payout_a.state, payout_b.state), ('booked', 'booked'), (payout_a.reason, payout_b.reason))
        self.assertFalse(payout_a.to_reconcile or payout_b.to_reconcile, (payout_a.reason, payout_b.reason))
        # B: 2 × 9.50 + 4.00 of shipping, commissions 1.14 + 0.30 and 1.14 + 0.10 with their VAT, the subscription.
        self.assertAlmostEqual(payout_b.amount, 23.00 - (1.14 + 0.23 + 0.30 + 0.06) - (1.14 + 0.23 + 0.10 + 0.02)
                               - 47.99, places=2)
        self.assertEqual(payout_b.move_id.company_id, company_b)
        self.assertEqual(payout_b.bill_id.company_id, company_b)
        wallet_a, wallet_b = self.company.rakuten_wallet_account_id, company_b.rakuten_wallet_account_id
        self.assertNotEqual(wallet_a, wallet_b)
        self.assertEqual(set(payout_b.move_id.line_ids.account_id.company_ids.ids), {company_b.id})
        self.assertTrue(all(self._wallet_lines(order_b).mapped('reconciled')))
        self.assertEqual(self.env['rakuten.payout'].with_user(self.accountant).search([]), payout_a)


@tagged('post_install', '-at_install')
class TestPayoutTour(InvoiceCase, HttpCase):
    """The screens of payouts as a French accountant, in Chromium."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carrier.rakuten_transporter_id = cls.env.ref('rakuten_connector.transporter_colissimo')
        cls.env['res.lang']._activate_lang('fr_FR')  # with the module's terms, as a French database has them
        cls.env['ir.module.module']._load_module_terms(['rakuten_connector'], ['fr_FR'], overwrite=True)
        cls.accountant = new_test_user(cls.env, login='rk_tour_accountant', password='rk_tour_accountant',
                                       groups='account.group_account_manager,account.group_account_readonly',
                                       company_id=cls.company.id, lang='fr_FR')

    def test_an_accountant_reads_a_booked_transfer_and_the_units_still_to_be_paid(self):
        with self.server.state.lock:
            self.shop.operations.clear()
            self.shop.compensations.clear()
            self.shop.license_fee_periods.clear()
        purchase, order = self._order()
        self._deliver(order)
        self.env['stock.picking']._cron_rakuten_despatch()
        self._invoice_job()
        self.shop.receive(purchase.items[0].itemid)
        self.shop.receive(purchase.items[1].itemid)
        self.shop.pay_out(_next_payout_day(date.today()))
        self.env['rakuten.payout']._rakuten_payout_run(self.company)
        payout = self.env['rakuten.payout'].search([('company_id', '=', self.company.id)])
        self.assertEqual(payout.state, 'booked')
        self.start_tour('/odoo/action-rakuten_connector.action_rakuten_payout', 'rakuten_payout_tour',
                        login='rk_tour_accountant', timeout=120)
        self.start_tour('/odoo/action-rakuten_connector.action_rakuten_unpaid_units', 'rakuten_unpaid_units_tour',
                        login='rk_tour_accountant', timeout=120)
