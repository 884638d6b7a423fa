from odoo import api, fields, models

from ..models.rakuten_rights import SALESMAN, check_user_may

REASONS = [
    ('stock', "Out of stock"),
    ('damaged', "Damaged item"),
    ('listing', "Error in the listing"),
    ('other', "Other reason"),
    ('claim', "Buyer's claim"),  # the default of the dialog opened from a claim
]


class RakutenCancel(models.TransientModel):
    """One dialog before units of Rakuten orders leave them in Odoo: cancel them on Rakuten too (the buyer is
    refunded; a seller's cancellation weighs on the shop's rating), or only in Odoo."""
    _name = 'rakuten.cancel'
    _description = "Cancel Rakuten Units"

    order_ids = fields.Many2many('sale.order', string="Orders", readonly=True)
    item_ids = fields.Many2many('rakuten.sale.item', string="Units", readonly=True)
    cancel_orders = fields.Boolean(readonly=True, help="The dialog was opened by cancelling the orders.")
    from_claim = fields.Boolean(readonly=True, help="The dialog was opened from the buyer's claim on the unit.")
    reason = fields.Selection(REASONS, string="Message Template", default='stock', required=True,
                              help="Fills the message to the buyer, which is what Rakuten gets.")
    comment = fields.Text(string="Message to the Buyer", compute='_compute_comment', store=True, readonly=False,
                          required=True, help="Rakuten sends it to the buyer with the cancellation.")
    currency_id = fields.Many2one('res.currency', compute='_compute_amount_refunded')
    amount_refunded = fields.Monetary(compute='_compute_amount_refunded',
                                      help="What Rakuten refunds the buyers: the units' prices and their shipping.")

    @api.depends('reason', 'item_ids')
    def _compute_comment(self):
        for wizard in self:
            company = wizard.item_ids.company_id[:1] or self.env.company
            wizard.comment = wizard.with_context(lang=company._rakuten_lang())._buyer_message()

    def _buyer_message(self):
        messages = {
            'stock': self.env._("We are sorry: this item is no longer available. Rakuten refunds you in full."),
            'damaged': self.env._("We are sorry: this item was damaged before shipping. Rakuten refunds you in "
                                  "full."),
            'listing': self.env._("We are sorry: our listing of this item was wrong. Rakuten refunds you in full."),
            'other': self.env._("We are sorry: we cannot ship this item. Rakuten refunds you in full."),
            'claim': self.env._("We are sorry about the trouble you reported: we cancel this item and Rakuten refunds "
                                "you in full."),
        }
        return messages[self.reason]

    @api.depends('item_ids')
    def _compute_amount_refunded(self):
        for wizard in self:
            wizard.currency_id = wizard.item_ids.company_id[:1].currency_id or self.env.company.currency_id
            wizard.amount_refunded = (sum(wizard.item_ids.mapped('price'))
                                      + sum(wizard.item_ids.mapped('shipping_price')))

    def action_cancel_on_rakuten(self):
        """Cancel the units on Rakuten (by the cancellation job, right after this is saved), then the orders in
        Odoo when the dialog came from their cancellation."""
        self.ensure_one()
        check_user_may(self.order_ids, SALESMAN, 'write')
        units = self._units()._rakuten_ask_cancellation(self.comment)
        for order in self.order_ids:
            order_units = units.filtered(lambda item: item.sale_id.order_id == order)
            if order_units:
                order.message_post(body=self.env._(
                    "To cancel on Rakuten: %(units)s, with this message to the buyer: %(comment)s",
                    units=order_units._rakuten_products(), comment=self.comment))
        return self._cancel_orders()

    def action_odoo_only(self):
        """Leave the units accepted on Rakuten: the buyer still waits for them, so a user is reminded."""
        self.ensure_one()
        check_user_may(self.order_ids, SALESMAN, 'write')
        units = self._units()._rakuten_cancellable()
        units.sudo().cancel_state = 'to_decide'
        result = self._cancel_orders()
        for sale, items in units.grouped('sale_id').items():
            sale._rakuten_units_to_decide(items)
        return result

    def _units(self):
        """The units of the orders the user may change (never units of other orders passed over RPC)."""
        return self.item_ids.filtered(lambda item: item.sale_id.order_id in self.order_ids)

    def _cancel_orders(self):
        if self.cancel_orders:
            self.order_ids.with_context(rakuten_cancel_decided=True).action_cancel()
        return {'type': 'ir.actions.act_window_close'}
