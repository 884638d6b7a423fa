from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .rakuten_format import rakuten_amount
from .rakuten_rights import SALESMAN, check_connector_fields, check_user_may
from .rakuten_sale_item import GONE_STATUSES


# The Rakuten sale an order was made from: set by the connector only (a user's order never poses as one).
RAKUTEN_ORDER_FIELDS = frozenset({'rakuten_purchase_ref', 'rakuten_sale_id', 'rakuten_claim_state'})


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    rakuten_purchase_ref = fields.Char(string="Rakuten Purchase ID", readonly=True, copy=False, index='btree_not_null')
    rakuten_sale_id = fields.Many2one('rakuten.sale', readonly=True, copy=False,
                                      index='btree_not_null')
    rakuten_relay_point = fields.Char(related='rakuten_sale_id.relay_point', string="Rakuten Relay Point")
    # The parcel's destination on the order's front page (the customer shown there is the buyer's home): the
    # delivery contact made of the relay point, with its address.
    rakuten_relay_partner_id = fields.Many2one(related='partner_shipping_id', string="Relay Point")
    rakuten_shipping_type = fields.Char(related='rakuten_sale_id.shipping_type', string="Rakuten Shipping Type")

    rakuten_invoice_pending = fields.Boolean(
        readonly=True, copy=False, index=True,
        help="Units of this Rakuten order left, came back or were refunded since its last invoicing.")
    rakuten_units_to_decide = fields.Integer(
        string="Rakuten Units to Decide", compute='_compute_rakuten_units_to_decide',
        help="Units removed from this order in Odoo that Rakuten still shows as accepted: the buyer waits.",
    )
    rakuten_units_cancellable = fields.Integer(
        compute='_compute_rakuten_units_cancellable',
        help="Units of this order the buyer still waits for on Rakuten: cancelling the order asks about them.",
    )

    _rakuten_purchase_unique = models.Constraint(
        'UNIQUE(company_id, rakuten_purchase_ref)', "This Rakuten sale was already imported.",
    )

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        check_connector_fields(self, RAKUTEN_ORDER_FIELDS, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_connector_fields(self, RAKUTEN_ORDER_FIELDS, [vals])
        return super().write(vals)

    # === COMPUTE METHODS === #

    def _compute_rakuten_units_to_decide(self):
        for order in self:
            order.rakuten_units_to_decide = len(order.rakuten_sale_id.item_ids.filtered(
                lambda item: item.cancel_state in ('to_decide', 'failed') and item._rakuten_cancellable()))

    def _compute_rakuten_units_cancellable(self):
        for order in self:
            order.rakuten_units_cancellable = len(order.rakuten_sale_id.item_ids._rakuten_cancellable())

    # === ACTION METHODS === #

    def action_cancel(self):
        """Cancelling Rakuten orders whose units the buyer still waits for asks first whether to cancel them on
        Rakuten too (one dialog for all the orders)."""
        if not self.env.context.get('rakuten_cancel_decided'):
            units = self.rakuten_sale_id.item_ids._rakuten_cancellable()
            if units:
                return self._rakuten_cancel_dialog(units, cancel_orders=True)
        return super().action_cancel()

    def action_rakuten_cancel_units(self):
        """Button: decide about the units removed in Odoo that Rakuten still shows as accepted."""
        units = self.rakuten_sale_id.item_ids.filtered(lambda item: item.cancel_state in ('to_decide', 'failed'))
        return self._rakuten_cancel_dialog(units._rakuten_cancellable(), cancel_orders=False)

    def _rakuten_cancel_dialog(self, units, cancel_orders):
        check_user_may(self, SALESMAN, 'write')  # cancelling on Rakuten is a salesman's decision
        return {
            'type': 'ir.actions.act_window', 'res_model': 'rakuten.cancel', 'view_mode': 'form', 'target': 'new',
            'name': self.env._("Cancel on Rakuten?"),
            'context': {'default_order_ids': self.ids, 'default_item_ids': units.ids,
                        'default_cancel_orders': cancel_orders},
        }

    def action_open_delivery_wizard(self):
        if self.env.context.get('carrier_recompute') and self.rakuten_sale_id:
            raise UserError(self.env._(
                "The shipping of a Rakuten order is what the buyer paid on Rakuten (%(amount)s %(currency)s): "
                "it is not recomputed from the carrier's rates.",
                amount=self.rakuten_sale_id.shipping_amount, currency=self.currency_id.name))
        return super().action_open_delivery_wizard()

    # === BUSINESS METHODS === #

    def _create_delivery_line(self, carrier, price_unit):
        """A Rakuten order's shipping line is what the buyer paid, whatever the carrier's rate or invoicing
        policy (a carrier changed later keeps that amount too)."""
        line = super()._create_delivery_line(carrier, price_unit)
        if self.rakuten_sale_id:
            line.write({'price_unit': self.rakuten_sale_id.shipping_amount,
                        'tax_ids': line.tax_ids._rakuten_price_included().ids})
        return line

    def _rakuten_set_shipping(self, carrier, amount):
        """Shipping line at the price the buyer paid, with the mapped carrier."""
        self.ensure_one()
        self.carrier_id = carrier
        self._create_delivery_line(carrier, amount)

    def _rakuten_include_taxes(self):
        """Rakuten prices include VAT: use price-included taxes so the totals equal what the buyer paid (one
        write per set of taxes of these orders' lines)."""
        for taxes, lines in self.order_line.grouped('tax_ids').items():
            included = taxes._rakuten_price_included()
            if included != taxes:
                lines.tax_ids = included

    def _rakuten_reduce_shipping(self, amount):
        """The shipping line loses ``amount`` (what Rakuten refunds for cancelled units; negative: units added)."""
        self.ensure_one()
        line = self.order_line.filtered('is_delivery')[:1]
        if line and amount:
            with self._rakuten_unlocked():  # a locked order refuses price changes
                line.price_unit = max(line.price_unit - amount, 0.0)

    @contextmanager
    def _rakuten_unlocked(self):
        """A locked order refuses quantity changes and launches no stock rule: unlocked while the connector
        changes its lines."""
        self.ensure_one()
        locked = self.locked
        if locked:
            self.locked = False
        try:
            yield
        finally:
            if locked:
                self.locked = True

    def _rakuten_check_total(self, expected, reason=None):
        """A note in the chatter when the order's total differs from what Rakuten pays (``expected``), with
        ``reason``, or the likely one."""
        self.ensure_one()
        if not float_compare(self.amount_total, expected, precision_rounding=self.currency_id.rounding):
            return
        if not reason and self.fiscal_position_id not in (self.env['account.fiscal.position'],
                                                          self.company_id.domestic_fiscal_position_id):
            reason = self.env._("the fiscal position %s changed the taxes of this delivery address: check it and the "
                       "taxes of the products.", self.fiscal_position_id.name)
        reason = reason or self.env._("check the taxes of its products.")
        self.message_post(body=self.env._(
            "The total of this order (%(odoo)s) differs from what the buyer paid on Rakuten (%(rakuten)s): "
            "%(reason)s", odoo=rakuten_amount(self.env, self.amount_total, self.currency_id),
            rakuten=rakuten_amount(self.env, expected, self.currency_id), reason=reason))

    # === BUSINESS METHODS - INVOICES === #

    @api.model
    def _cron_rakuten_invoice(self):
        """Invoice (or credit) the units that left, came back or were refunded, for the companies that invoice
        Rakuten orders at delivery: the orders marked by those events only."""
        companies = self.env['res.company'].sudo().search([('rakuten_enabled', '=', True),
                                                           ('rakuten_invoice_policy', '=', 'delivery')])
        for company in companies:
            # Credit notes an accountant posted since the last run: refunded through Rakuten too.
            posted = self.env['account.move'].sudo().search([
                ('company_id', '=', company.id), ('move_type', '=', 'out_refund'), ('state', '=', 'posted'),
                ('rakuten_generated', '=', True),
                ('payment_state', '=', 'not_paid'),
                ('invoice_line_ids.sale_line_ids.order_id.rakuten_sale_id', '!=', False)])
            posted.invoice_line_ids.sale_line_ids.order_id.sudo().rakuten_invoice_pending = True
            orders = company._rakuten_env(self).search([
                ('company_id', '=', company.id), ('rakuten_invoice_pending', '=', True), ('state', '=', 'sale'),
                ('create_date', '>=', company.rakuten_invoice_from),  # older orders are the seller's
            ])
            for order in orders:
                with order.rakuten_sale_id._rakuten_isolated():
                    order._rakuten_invoice_delivered()
                    order._rakuten_refund_through_rakuten()
                    order.rakuten_invoice_pending = False
                self.env['ir.cron']._rakuten_commit_progress()

    def _rakuten_mark_to_invoice(self):
        """Units of these orders left, came back or were refunded: the invoice job looks at them at its next run."""
        orders = self.filtered(lambda order: order.rakuten_sale_id
                               and order.company_id.rakuten_invoice_policy == 'delivery')
        if orders:
            orders.sudo().rakuten_invoice_pending = True
            self.env.ref('rakuten_connector.ir_cron_rakuten_invoice').sudo()._trigger()

    def _rakuten_invoice_delivered(self):
        """Bring this Rakuten order's invoices to what the buyer keeps and paid: an invoice of the units that left
        and are not invoiced yet, a credit note of the units invoiced and since returned or refunded by Rakuten,
        each at the price the buyer paid; the shipping of the order's units once they all left, less the shipping
        Rakuten refunded with units. Invoices are posted and paid through the company's Rakuten journal (the buyer
        paid Rakuten at checkout); credit notes too, or left in draft (company setting) for an accountant.

        :return: the invoices and credit notes created
        """
        self.ensure_one()
        precision = self.env['decimal.precision'].precision_get('Product Unit')
        to_invoice, to_refund = [], []
        complete = True
        for line in self.order_line.filtered(lambda line: not line.display_type and not line.is_delivery):
            left, kept = line._rakuten_units_left_and_kept()
            difference = kept - line._rakuten_units_invoiced()
            if float_compare(difference, 0, precision_digits=precision) > 0:
                to_invoice.append((line, difference, line.price_unit))
            elif float_compare(difference, 0, precision_digits=precision) < 0:
                to_refund.append((line, -difference, line.price_unit))
            complete &= float_compare(left, line.product_uom_qty, precision_digits=precision) >= 0
        if complete:
            for line in self.order_line.filtered('is_delivery')[:1]:
                difference = self._rakuten_shipping_due() - line._rakuten_amount_invoiced()
                if self.currency_id.compare_amounts(difference, 0) > 0:
                    to_invoice.append((line, 1, difference))
                elif self.currency_id.compare_amounts(difference, 0) < 0:
                    to_refund.append((line, 1, -difference))
        moves = self.env['account.move']
        if to_invoice:
            moves |= self._rakuten_create_invoice('out_invoice', to_invoice, post=True)
        if to_refund:
            moves |= self._rakuten_create_invoice(
                'out_refund', to_refund, post=self.company_id.rakuten_refund_policy == 'posted')
        return moves

    def _rakuten_shipping_due(self):
        """The shipping the buyer paid for the units on the order's lines that Rakuten did not cancel or refund."""
        units = self.rakuten_sale_id.item_ids.filtered(
            lambda item: item.order_line_id and item.status not in GONE_STATUSES)
        return sum(units.mapped('shipping_price'))

    def _rakuten_create_invoice(self, move_type, lines, post):
        """An invoice or credit note of ``lines`` ((order line, quantity, unit price paid)), in the company's
        language; posted ones are paid through Rakuten."""
        values = self._prepare_invoice()
        values.update(move_type=move_type, rakuten_generated=True)
        values['invoice_line_ids'] = [
            fields.Command.create({**line._prepare_invoice_line(quantity=quantity), 'price_unit': price})
            for line, quantity, price in lines]
        move = self.env['account.move'].sudo().with_company(self.company_id).create(values)
        if post:
            move.action_post()
            self._rakuten_pay_through_rakuten(move)
            body = (self.env._("Invoiced on delivery: %(invoice)s, paid through Rakuten.",
                               invoice=move._get_html_link())
                    if move_type == 'out_invoice' else
                    self.env._("Credit note of the units returned or refunded: %(invoice)s, refunded through Rakuten.",
                      invoice=move._get_html_link()))
        else:
            body = self.env._(
                "Credit note of the units returned or refunded, in draft for the accountant: %(invoice)s.",
                     invoice=move._get_html_link())
        self.message_post(body=body)
        return move

    def _rakuten_pay_through_rakuten(self, moves):
        journal = self.company_id._rakuten_payment_journal()
        for move in moves:
            self.env['account.payment.register'].sudo().with_context(
                active_model='account.move', active_ids=move.ids,
            ).create({'journal_id': journal.id, 'payment_date': move.invoice_date,
                      'communication': f'Rakuten {self.rakuten_purchase_ref}'})._create_payments()

    def _rakuten_refund_through_rakuten(self):
        """Credit notes of this order an accountant posted since: refunded through Rakuten, as Rakuten refunds
        the buyer."""
        refunds = self.invoice_ids.filtered(lambda move: move.rakuten_generated and move.state == 'posted'
                                            and move.payment_state == 'not_paid')
        if refunds:
            self._rakuten_pay_through_rakuten(refunds)
