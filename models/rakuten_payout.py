"""Rakuten's payouts in the accounts: each transfer of the wallet (an operation and its compensation) booked once.

The scheme (README, "Accounting"): the invoice of a Rakuten order is paid through the Rakuten journal, which leaves
what Rakuten owes for it on the company's Rakuten wallet account (a 467 account: Rakuten holds the buyers' money).
A transfer is one entry of the Rakuten journal: the units it pays leave the wallet account (reconciled with their
invoices' payments), the units it takes back return to it, Rakuten's commissions and subscription are a vendor bill
of the Rakuten partner (its VAT deductible) paid by the transfer, adjustments go to their own account, and the
net goes to the internal transfer account, where the bank's line meets it.
"""
import logging
from collections import defaultdict
from datetime import timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tools import float_compare, float_is_zero

from ..rakuten_connector import RUN_STOPPERS, RakutenError, TransientError, const
from .rakuten_format import rakuten_amount
from .rakuten_rights import ACCOUNTING_MANAGER, BILLING, check_user_may

_logger = logging.getLogger(__name__)

PAYOUT_LOCK_KEY = 0x52414B50  # "RAKP": one payout run per company at a time (second key: company id)
PARIS = ZoneInfo(const.RAKUTEN_TIMEZONE)
PAYOUT_STATES = [
    ('to_book', "To Book"),
    ('waiting', "Waiting"),
    ('booked', "Booked"),
]


class BookingRefused(UserError):
    """The compensation cannot be booked as Rakuten gave it: the payout waits with this reason."""


class RakutenPayout(models.Model):
    """One transfer of the Rakuten wallet (``getoperations``) and its detail (``getcompensationdetails``)."""
    _name = 'rakuten.payout'
    _description = "Rakuten Payout"
    _inherit = ['mail.thread', 'mail.activity.mixin']
    _order = 'date desc, id desc'
    _rec_name = 'operation_ref'
    _check_company_auto = True

    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related='company_id.currency_id')
    operation_ref = fields.Char(string="Operation", required=True, readonly=True)
    compensation_ref = fields.Char(string="Compensation", readonly=True)
    invoice_number = fields.Char(string="Rakuten Invoice No.", readonly=True,
                                 help="Rakuten's invoice of its commissions and fees for this transfer.")
    date = fields.Datetime(readonly=True)
    amount = fields.Monetary(string="Transferred", readonly=True,
                             help="What Rakuten transferred to the bank (negative: what it took).")
    amount_unread = fields.Boolean(readonly=True, help="Rakuten gave no readable amount or direction.")
    state = fields.Selection(PAYOUT_STATES, default='to_book', required=True, readonly=True, tracking=True)
    reason = fields.Text(readonly=True, help="Why the transfer waits, or what is left to reconcile.")
    line_ids = fields.One2many('rakuten.payout.line', 'payout_id', string="Lines", readonly=True)
    move_id = fields.Many2one('account.move', string="Entry", readonly=True, check_company=True)
    bill_id = fields.Many2one('account.move', string="Vendor Bill", readonly=True, check_company=True,
                              help="Rakuten's commissions and subscription of this transfer.")
    move_line_ids = fields.One2many(related='move_id.line_ids', string="Journal Items")
    to_reconcile = fields.Boolean(readonly=True,
                                  help="Booked, but some units are not matched with a paid invoice yet.")
    differs = fields.Boolean(string="Differs from Billing", compute='_compute_differs', store=True,
                             help="Rakuten kept on some units another amount than their billing said.")
    items_amount = fields.Monetary(string="Sales", compute='_compute_amounts', store=True,
                                   help="Price and shipping of the units paid, less those taken back.")
    fees_amount = fields.Monetary(string="Commissions and Fees", compute='_compute_amounts', store=True)

    _company_operation_unique = models.Constraint(
        'UNIQUE(company_id, operation_ref)', "A Rakuten operation is recorded once per company.",
    )

    @api.depends('line_ids.differs')
    def _compute_differs(self):
        for payout in self:
            payout.differs = any(payout.line_ids.mapped('differs'))

    @api.depends('line_ids.amount', 'line_ids.fees')
    def _compute_amounts(self):
        for payout in self:
            payout.items_amount = sum(payout.line_ids.filtered(lambda line: line.kind != 'fee').mapped('gross'))
            payout.fees_amount = sum(payout.line_ids.mapped('fees'))

    # === CRON === #

    @api.model
    def _cron_rakuten_payouts(self):
        companies = self.env['res.company'].sudo().search([
            ('rakuten_enabled', '=', True), ('rakuten_login', '!=', False),
            ('rakuten_invoice_policy', '=', 'delivery'),
        ])
        for company in companies:
            company._rakuten_env(self)._rakuten_payout_run(company)

    @api.model
    def _rakuten_payout_run(self, company):
        """Record the new transfers of ``company``, then book those not booked yet and reconcile what waits.

        :return: False when another run of the same company holds the lock, else True.
        """
        self = self.sudo()  # noqa: PLW0642 - the bookkeeping of payouts is the connector's, whoever runs it
        company = company.with_env(self.env)
        with company._rakuten_run_lock(PAYOUT_LOCK_KEY) as locked:
            if not locked:
                _logger.info("Rakuten payouts of company %s already running, skipped", company.id)
                return False
            message = False
            try:
                client = company._rakuten_client()
                self._rakuten_record_operations(company, client)
                pending = self.search([('company_id', '=', company.id), ('state', 'in', ('to_book', 'waiting'))],
                                      order='date, id')
                for payout in pending:
                    payout._rakuten_book_isolated(client)
                    self.env['ir.cron']._rakuten_commit_progress()
                self.search([('company_id', '=', company.id), ('to_reconcile', '=', True)])._rakuten_reconcile()
            except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
                raise
            except (RakutenError, UserError) as error:
                message = company._rakuten_error_message(error)
                _logger.warning("Rakuten payouts of company %s stopped: %s", company.id, error)
            except Exception as error:  # noqa: BLE001 - one company's bug must not stop the others
                _logger.exception("Rakuten payouts of company %s: unexpected error", company.id)
                message = self.env._("Unexpected error, the payout run stopped: %(error)s. The next run starts "
                                     "again; if it persists, report it with this message.",
                                     error=company._rakuten_error_detail(error))
            company._rakuten_job_status('payout', {'state': 'failed' if message else 'ok', 'message': message,
                                                   'date': fields.Datetime.now()})
            self.env['ir.cron']._rakuten_commit_progress()
        return True

    @api.model
    def _rakuten_record_operations(self, company, client):
        """Store every new transfer (not booked yet) and commit, before any is booked: a run stopped later finds
        them again. Transfers before invoicing was switched on are the seller's."""
        status = self.env['rakuten.job.status'].sudo().search([('company_id', '=', company.id),
                                                              ('job', '=', 'payout')])
        floor = company.rakuten_invoice_from
        # A day read again: an operation dated like the last one read (whether Rakuten's date is inclusive is
        # not known) is never missed; those already recorded are skipped.
        since = max(filter(None, (status.last_sync and status.last_sync - timedelta(days=1), floor)), default=None)
        # Every operation recorded (a few hundred a year): one Rakuten serves again is never recorded twice,
        # whatever its date.
        known = set(self.search([('company_id', '=', company.id)]).mapped('operation_ref'))
        values, newest = [], status.last_sync
        for operation in client.iter_operations(since=since):
            if not operation.is_transfer or operation.id in known:
                continue
            known.add(operation.id)
            date = operation.date and operation.date.replace(tzinfo=None)
            if date and floor and date < floor:
                continue
            newest = max(filter(None, (newest, date)), default=None)
            values.append({
                'company_id': company.id, 'operation_ref': operation.id, 'date': date,
                'compensation_ref': operation.compensation_id,
                'amount': float(operation.signed_amount or 0), 'amount_unread': operation.signed_amount is None,
            })
        self.create(values)
        if newest:
            company._rakuten_job_status('payout', {'last_sync': newest})
        self.env['ir.cron']._rakuten_commit_progress()

    # === BOOKING === #

    def _rakuten_book_isolated(self, client):
        """Book this transfer in its own savepoint: what Rakuten's answer does not allow to book makes it wait
        with the reason (and an activity); errors that stop the run propagate."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                compensation = client.get_compensation_details(self.compensation_ref)
                self._rakuten_book(compensation)
        except RUN_STOPPERS:
            raise
        except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
            raise
        except TransientError as error:
            _logger.info("Rakuten payout %s left for the next run: %s", self.operation_ref, error)
        except (RakutenError, UserError) as error:
            self._rakuten_wait(self.company_id._rakuten_error_message(error))
        except Exception as error:  # noqa: BLE001 - one transfer's bug must not stop the others
            _logger.exception("Rakuten payout %s: unexpected error", self.operation_ref)
            self._rakuten_wait(self.env._("Unexpected error: %(error)s. Fix the cause; the next run tries again.",
                                          error=self.company_id._rakuten_error_detail(error)))

    def _rakuten_wait(self, reason):
        self.ensure_one()
        if self.state == 'waiting' and self.reason == reason:
            return
        self.write({'state': 'waiting', 'reason': reason})
        self._rakuten_tell(reason)

    def _rakuten_tell(self, reason):
        """An activity for the company's accountant (else the Rakuten salesperson), once per open reason."""
        user = self.company_id._rakuten_accountant()
        if not user:
            return
        self.activity_unlink(['mail.mail_activity_data_todo'])
        self.activity_schedule('mail.mail_activity_data_todo', user_id=user.id,
                               summary=self.env._("Rakuten transfer %(operation)s", operation=self.operation_ref),
                               note=reason)

    def _rakuten_book(self, compensation):
        """The entry of this transfer, Rakuten's bill, their reconciliation: all or nothing."""
        self.ensure_one()
        if compensation.unreadable:
            raise BookingRefused(self.env._("Rakuten's detail of this transfer has unreadable amounts: "
                                            "%(fields)s.", fields=', '.join(compensation.unreadable)))
        if self.amount_unread:
            raise BookingRefused(self.env._("Rakuten gave no readable amount or direction for this transfer."))
        difference = Decimal(str(self.amount)).quantize(Decimal('0.01')) - compensation.total
        if difference and not self.env.context.get('rakuten_book_difference'):
            raise BookingRefused(self.env._(
                "The lines of Rakuten's detail add up to %(total)s, not to the %(amount)s transferred: Rakuten "
                "does not detail commercial gestures and penalties. Check the transfer in Rakuten's back office, "
                "then book it with the difference (on the adjustments account).",
                total=rakuten_amount(self.env, compensation.total, self.currency_id),
                amount=rakuten_amount(self.env, self.amount, self.currency_id)))
        self.line_ids.unlink()
        values = self._rakuten_line_values(compensation)
        if difference:
            values.append({'payout_id': self.id, 'kind': 'difference', 'adjustment': float(difference),
                           'amount': float(difference),
                           'headline': self.env._("Not detailed by Rakuten (gesture or penalty)")})
        lines = self.env['rakuten.payout.line'].create(values)
        bill = self._rakuten_bill(compensation, lines)
        move = self._rakuten_entry(lines, bill)
        self.write({'state': 'booked', 'reason': False, 'invoice_number': compensation.invoice_number,
                    'move_id': move.id, 'bill_id': bill.id})
        if bill:
            payable = bill.line_ids.filtered(lambda line: line.display_type == 'payment_term')
            (payable | move.line_ids.filtered(lambda line: line.account_id == payable.account_id
                                              and line.partner_id == bill.partner_id)).reconcile()
        self.activity_unlink(['mail.mail_activity_data_todo'])
        self._rakuten_reconcile()

    def _rakuten_line_values(self, compensation):
        items = self.env['rakuten.sale.item'].search([('company_id', '=', self.company_id.id),
                                                      ('itemid', 'in', [line.itemid for line in compensation.items])])
        by_itemid = {item.itemid: item for item in items}
        kinds = {const.BLOCK_ITEM_PAYMENT: 'paid', const.BLOCK_CANCELLED_ITEM: 'cancelled',
                 const.BLOCK_ADJUSTMENT: 'adjustment'}
        values = []
        for line in compensation.items:
            kind = kinds[line.kind]
            sign = -1 if kind == 'cancelled' else 1
            commission = sum(filter(None, (line.item_commission, line.shipping_commission)), Decimal(0))
            vat = sum(filter(None, (line.item_commission_vat, line.shipping_commission_vat)), Decimal(0))
            values.append({
                'payout_id': self.id, 'kind': kind, 'itemid': line.itemid, 'purchase_ref': line.purchaseid,
                'sale_item_id': by_itemid.get(line.itemid, self.env['rakuten.sale.item']).id,
                'headline': line.headline or line.sku,
                'gross': float(sign * (line.item_price + line.shipping_price)) if kind != 'adjustment' else 0.0,
                'commission': float(sign * commission), 'commission_vat': float(sign * vat),
                'item_commission': float(sign * (line.item_commission or 0)),
                'item_commission_vat': float(sign * (line.item_commission_vat or 0)),
                'item_commission_rate': float(line.item_commission_vat_rate or 0),
                'shipping_commission': float(sign * (line.shipping_commission or 0)),
                'shipping_commission_vat': float(sign * (line.shipping_commission_vat or 0)),
                'shipping_commission_rate': float(line.shipping_commission_vat_rate or 0),
                # An adjustment's amount; for a unit, what Rakuten's paymentamount differs from price + shipping
                # less commissions (a cent of rounding): booked on the adjustments account, so the entry balances.
                'adjustment': float(line.amount) if kind == 'adjustment' else float(sign * (
                    line.amount - line.computed_amount)),
                'amount': float(line.signed_amount),
            })
        for fee in compensation.fees:
            sign = 1 if fee.asset else -1
            values.append({
                'payout_id': self.id, 'kind': 'fee', 'itemid': fee.id, 'period': fee.period,
                'headline': (self.env._("Subscription refunded %(period)s", period=fee.period) if fee.asset
                             else self.env._("Subscription %(period)s", period=fee.period)),
                'commission': float(-sign * fee.amount_excl_tax), 'commission_vat': float(-sign * fee.vat),
                'item_commission': float(-sign * fee.amount_excl_tax), 'item_commission_vat': float(-sign * fee.vat),
                'item_commission_rate': float(fee.vat_rate or 0),
                'amount': float(fee.signed_amount),
            })
        return values

    def _rakuten_bill(self, compensation, lines):
        """Rakuten's invoice of its commissions and subscription (a credit note when it gives back more), one
        line per amount Rakuten rounded, so that Odoo's VAT is Rakuten's to the cent."""
        company = self.company_id
        bill_lines = []
        for line in lines:
            for amount, vat, rate, label in (
                    (line.item_commission, line.item_commission_vat, line.item_commission_rate,
                     line.headline if line.kind == 'fee' else self.env._(
                         "Commission %(purchase)s / %(item)s %(title)s",
                         purchase=line.purchase_ref, item=line.itemid, title=line.headline or '')),
                    (line.shipping_commission, line.shipping_commission_vat, line.shipping_commission_rate,
                     self.env._("Shipping commission %(purchase)s / %(item)s",
                                purchase=line.purchase_ref, item=line.itemid))):
                if float_is_zero(amount, precision_rounding=self.currency_id.rounding):
                    continue
                tax = company._rakuten_fee_tax(rate) if not float_is_zero(
                    vat, precision_rounding=self.currency_id.rounding) else self.env['account.tax']
                account = company._rakuten_fee_account()
                bill_lines.append((label, amount, tax, account))
        if not bill_lines:
            return self.env['account.move']
        total = sum(line.commission + line.commission_vat for line in lines)
        refund = float_compare(total, 0, precision_rounding=self.currency_id.rounding) < 0
        sign = -1 if refund else 1
        date = self._rakuten_local_date()
        bill = self.env['account.move'].sudo().with_company(company).create({
            'move_type': 'in_refund' if refund else 'in_invoice',
            'partner_id': company._rakuten_partner().id,
            'ref': compensation.invoice_number or self.compensation_ref,
            'invoice_date': date, 'date': date, 'invoice_date_due': date,  # paid by the transfer itself
            'invoice_line_ids': [fields.Command.create({
                'name': label, 'quantity': 1, 'price_unit': sign * amount, 'account_id': account.id,
                'tax_ids': [fields.Command.set(tax.ids)],
            }) for label, amount, tax, account in bill_lines],
        })
        self._rakuten_adopt_vat(bill, sign * sum(lines.mapped('commission_vat')))
        if float_compare(sign * bill.amount_total, total, precision_rounding=self.currency_id.rounding):
            raise BookingRefused(self.env._(
                "Rakuten's commissions and fees of this transfer come to %(rakuten)s VAT included, Odoo's bill to "
                "%(odoo)s: check the purchase tax of the Rakuten commissions (Settings) and the VAT rounding of the "
                "company (per line).", rakuten=rakuten_amount(self.env, total, self.currency_id),
                odoo=rakuten_amount(self.env, sign * bill.amount_total, self.currency_id)))
        bill.action_post()
        return bill

    def _rakuten_adopt_vat(self, bill, vat):
        """The deductible VAT is the one of Rakuten's invoice: when the company rounds VAT globally, Odoo's sum
        may differ from Rakuten's per-line rounding by a cent or two; the bill's tax is then set to Rakuten's, as
        a user does on a vendor bill (Odoo's ``tax_totals``), when it has one tax group."""
        rounding = self.currency_id.rounding
        if not float_compare(bill.amount_tax, vat, precision_rounding=rounding):
            return
        totals = bill.tax_totals
        groups = [group for subtotal in totals['subtotals'] for group in subtotal['tax_groups']]
        # Global rounding drifts by half a cent per line at most: more is not a rounding.
        if len(groups) != 1 or abs(bill.amount_tax - vat) > max(0.05, 0.005 * len(bill.invoice_line_ids)):
            return  # not a rounding: the check that follows refuses the bill with its reason
        groups[0]['tax_amount_currency'] = vat
        bill.tax_totals = totals

    def _rakuten_entry(self, lines, bill):
        """The transfer's entry in the Rakuten journal (balanced by construction, checked by Odoo)."""
        company = self.company_id
        wallet = company._rakuten_wallet_account()
        rounding = self.currency_id.rounding
        move_lines = []

        def add(name, balance, account, partner=False):
            if float_is_zero(balance, precision_rounding=rounding):
                return None
            move_lines.append(fields.Command.create({
                'name': name, 'account_id': account.id, 'partner_id': partner and partner.id,
                'debit': max(balance, 0.0), 'credit': max(-balance, 0.0)}))
            return len(move_lines) - 1

        positions = {}  # payout line -> position of its wallet line in the entry
        for line in lines.filtered(lambda line: line.kind in ('paid', 'cancelled')):
            label = self.env._("Rakuten %(purchase)s / %(item)s", purchase=line.purchase_ref, item=line.itemid)
            positions[line] = add(label, -line.gross, wallet, line._rakuten_partner())
        for line in lines.filtered('adjustment'):
            label = line.headline if line.kind == 'difference' else self.env._(
                "Rakuten adjustment %(purchase)s / %(item)s", purchase=line.purchase_ref, item=line.itemid)
            add(label, -line.adjustment, company._rakuten_adjustment_account())
        if bill:
            sign = -1 if bill.move_type == 'in_refund' else 1
            add(bill.ref or bill.name, sign * bill.amount_total,
                bill.line_ids.filtered(lambda line: line.display_type == 'payment_term')[:1].account_id,
                bill.partner_id)
        transfer = company.transfer_account_id
        if not transfer:
            raise BookingRefused(self.env._("The company has no internal transfer account (Accounting settings)."))
        add(self.env._("Rakuten transfer %(operation)s", operation=self.operation_ref), self.amount, transfer)
        move = self.env['account.move'].sudo().with_company(company).create({
            'move_type': 'entry', 'journal_id': company._rakuten_payment_journal().id,
            'date': self._rakuten_local_date(), 'ref': self.env._("Rakuten transfer %(operation)s",
                                                                  operation=self.operation_ref),
            'line_ids': move_lines,
        })
        move.action_post()
        created = move.line_ids.sorted('id')
        for line, position in positions.items():
            if position is not None:
                line.wallet_line_id = created[position]
        return move

    def _rakuten_local_date(self):
        self.ensure_one()
        moment = self.date or fields.Datetime.now()
        return moment.replace(tzinfo=timezone.utc).astimezone(PARIS).date()

    # === RECONCILIATION === #

    def _rakuten_reconcile(self):
        """Match the units of these booked transfers with the payments of their orders' invoices: the wallet
        account's lines of one order are reconciled together; what is left says why."""
        for payout in self.filtered(lambda payout: payout.state == 'booked'):
            wallet = payout.company_id._rakuten_wallet_account()
            by_order = defaultdict(lambda: self.env['account.move.line'])
            open_units = payout.line_ids.filtered(
                lambda line: line.wallet_line_id and not line.wallet_line_id.reconciled)
            for line in open_units:
                by_order[line.sale_item_id.sale_id.order_id] |= line.wallet_line_id
            for order, move_lines in by_order.items():
                if not order:
                    continue
                payments = order.invoice_ids.filtered(lambda move: move.state == 'posted').matched_payment_ids
                open_lines = payments.move_id.line_ids.filtered(
                    lambda line: line.account_id == wallet and not line.reconciled and line.parent_state == 'posted')
                if open_lines:
                    try:
                        with self.env.cr.savepoint():  # one order's problem leaves its units listed, not the run
                            (move_lines | open_lines).reconcile()
                    except UserError as error:
                        _logger.info("Rakuten payout %s: order %s not reconciled: %s", payout.operation_ref,
                                     order.name, error)
            unmatched = payout.line_ids.filtered(
                lambda line: line.wallet_line_id and not line.wallet_line_id.reconciled)
            units = ', '.join('%s/%s' % (line.purchase_ref, line.itemid) for line in unmatched)
            reason = unmatched and self.env._(
                "Units not matched with a paid invoice (not invoiced by the connector, or invoiced for less): "
                "%(units)s. Reconcile them on the Rakuten wallet account.", units=units)
            if bool(unmatched) != payout.to_reconcile or (reason or False) != (payout.reason or False):
                payout.write({'to_reconcile': bool(unmatched), 'reason': reason or False})
                if unmatched:
                    payout._rakuten_tell(reason)
                else:
                    payout.activity_unlink(['mail.mail_activity_data_todo'])

    # === ACTIONS === #

    @api.model
    def _rakuten_owed_action(self):
        """What Rakuten still owes: the open lines of the companies' wallet accounts, per buyer and order."""
        accounts = self.env.companies.mapped('rakuten_wallet_account_id')
        name = self.env._("Owed by Rakuten")
        help_text = self.env._("Rakuten owes nothing: every sale it collected was transferred.")
        return {
            'type': 'ir.actions.act_window', 'name': name,
            'help': Markup('<p class="o_view_nocontent_smiling_face">%s</p>') % help_text,
            'res_model': 'account.move.line', 'view_mode': 'list,pivot,graph',
            'domain': [('account_id', 'in', accounts.ids), ('reconciled', '=', False),
                       ('parent_state', '=', 'posted')],
            'context': {'search_default_group_by_partner': 1, 'create': False},
        }

    def action_rakuten_retry(self):
        """Book the waiting transfers again now: a billing user's button, run with the connector's rights (the
        bookkeeping of payouts is the connector's)."""
        check_user_may(self, BILLING)
        for company, payouts in self.sudo().grouped('company_id').items():
            payouts = company._rakuten_env(payouts)
            client = company._rakuten_client()
            for payout in payouts.filtered(lambda payout: payout.state in ('to_book', 'waiting')):
                payout._rakuten_book_isolated(client)
            payouts.filtered('to_reconcile')._rakuten_reconcile()
        return True

    def action_rakuten_book_difference(self):
        """Book a transfer whose detail does not add up, the difference (a commercial gesture or a penalty
        Rakuten does not detail) on the adjustments account: an accounting manager's decision."""
        self.ensure_one()
        check_user_may(self, ACCOUNTING_MANAGER)
        return self.with_context(rakuten_book_difference=True).action_rakuten_retry()
