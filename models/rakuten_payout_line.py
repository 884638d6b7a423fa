from odoo import api, fields, models

LINE_KINDS = [
    ('paid', "Unit Paid"),
    ('cancelled', "Unit Taken Back"),
    ('adjustment', "Adjustment"),
    ('fee', "Subscription"),
    ('difference', "Not Detailed"),
]


class RakutenPayoutLine(models.Model):
    """One line of a Rakuten transfer's detail, signed as it moves the transfer: a unit paid (its price and
    shipping, less Rakuten's commissions and their VAT), taken back, adjusted, or a subscription charged or
    refunded."""
    _name = 'rakuten.payout.line'
    _description = "Rakuten Transfer Line"
    _order = 'payout_id, id'

    payout_id = fields.Many2one('rakuten.payout', required=True, readonly=True, index=True, ondelete='cascade')
    company_id = fields.Many2one(related='payout_id.company_id', store=True, index=True)
    currency_id = fields.Many2one(related='payout_id.currency_id')
    kind = fields.Selection(LINE_KINDS, string="Type", required=True, readonly=True)
    itemid = fields.Char(string="Item ID", readonly=True, help="Rakuten's item id (a subscription: its fee id).")
    purchase_ref = fields.Char(string="Rakuten Sale", readonly=True)
    period = fields.Char(readonly=True, help="The month of a subscription (MM/YYYY).")
    headline = fields.Char(string="Title", readonly=True)
    sale_item_id = fields.Many2one('rakuten.sale.item', string="Unit", readonly=True, index='btree_not_null')
    order_id = fields.Many2one(related='sale_item_id.sale_id.order_id', string="Order")
    gross = fields.Monetary(string="Paid by the Buyer", readonly=True,
                            help="Price and shipping of the unit, VAT included (negative: taken back).")
    commission = fields.Monetary(string="Commissions", readonly=True, help="Excluding tax.")
    commission_vat = fields.Monetary(string="VAT on Commissions", readonly=True)
    item_commission = fields.Monetary(string="Commission on the Price", readonly=True)
    item_commission_vat = fields.Monetary(string="VAT on the Price Commission", readonly=True)
    item_commission_rate = fields.Float(string="VAT Rate on the Price Commission", readonly=True)
    shipping_commission = fields.Monetary(string="Commission on the Shipping", readonly=True)
    shipping_commission_vat = fields.Monetary(string="VAT on the Shipping Commission", readonly=True)
    shipping_commission_rate = fields.Float(string="VAT Rate on the Shipping Commission", readonly=True)
    adjustment = fields.Monetary(readonly=True)
    fees = fields.Monetary(string="Kept by Rakuten", compute='_compute_fees', store=True,
                           help="Commissions or subscription, VAT included.")
    amount = fields.Monetary(string="Transferred", readonly=True)
    differs = fields.Boolean(string="Differs from Billing", compute='_compute_differs', store=True,
                             help="Rakuten kept on this unit another amount than its billing said when the sale was "
                                  "imported (a commission changed).")
    wallet_line_id = fields.Many2one('account.move.line', string="Wallet Entry Line", readonly=True)
    reconciled = fields.Boolean(related='wallet_line_id.reconciled', string="Matched")

    @api.depends('commission', 'commission_vat')
    def _compute_fees(self):
        for line in self:
            line.fees = line.commission + line.commission_vat

    @api.depends('fees', 'kind', 'sale_item_id.billed_fees', 'sale_item_id.billed_fees_known')
    def _compute_differs(self):
        for line in self:
            unit = line.sale_item_id
            line.differs = bool(line.kind == 'paid' and unit.billed_fees_known
                                and line.currency_id.compare_amounts(line.fees, unit.billed_fees))

    def _rakuten_partner(self):
        """The partner the unit's invoice is paid by (its wallet line's partner), if the unit is known."""
        self.ensure_one()
        order = self.sale_item_id.sale_id.order_id
        return order.partner_invoice_id.commercial_partner_id if order else self.env['res.partner']
