import re

from odoo import _, api, fields, models

from ..rakuten_connector import const

# Item statuses that mean "ship it" (an allow-list: anything else, unknown statuses included, is not shipped).
IMPORTABLE = const.SHIPPABLE_STATUSES
# Item statuses that end the following of a unit: nothing will change for it any more.
FINISHED = const.TERMINAL_STATUSES


class RakutenSaleItem(models.Model):
    """One unit sold on Rakuten (``itemid``): accept, refuse, tracking and cancel all work per item."""
    _name = 'rakuten.sale.item'
    _description = "Rakuten Sale Item"
    _order = 'sale_id, id'
    _rec_name = 'itemid'

    itemid = fields.Char(string="Item ID", required=True, readonly=True, index=True)
    sale_id = fields.Many2one('rakuten.sale', required=True, readonly=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='sale_id.company_id', store=True, index=True)
    sku = fields.Char(string="SKU", readonly=True)
    headline = fields.Char(string="Title", readonly=True)
    price = fields.Float(string="Price Paid", digits='Product Price', readonly=True)
    status = fields.Char(string="Rakuten Status Code", readonly=True)
    status_label = fields.Char(string="Rakuten Status", compute='_compute_status_label')
    order_line_id = fields.Many2one('sale.order.line', string="Order Line", readonly=True, index='btree_not_null',
                                    ondelete='set null',
                                    help="Empty for a unit cancelled on Rakuten before it left: it left the order.")
    picking_id = fields.Many2one('stock.picking', string="Delivery", readonly=True, index='btree_not_null',
                                 ondelete='set null', help="The validated delivery that shipped this unit.")
    tracking_sent = fields.Boolean(string="Despatch Sent", readonly=True,
                                   help="Rakuten was told this unit left (the buyer got the tracking).")

    _itemid_company_unique = models.Constraint(
        'UNIQUE(company_id, itemid)', "A Rakuten item can only be imported once per company.",
    )

    @api.depends('status')
    @api.depends_context('lang')
    def _compute_status_label(self):
        """Rakuten's item status in words (an unknown code is shown as it is)."""
        labels = {
            'TO_CONFIRM': _("To accept"), 'REQUESTED': _("To accept"), 'REMINDED': _("To accept (reminded)"),
            'ACCEPTED': _("Accepted"), 'COMMITTED': _("Accepted"), 'PENDING': _("Pending"),
            'ON_HOLD': _("Claim open"), 'PENDING_CLAIM': _("Claim open"), 'CLAIM': _("Claim open"),
            'REFUSED': _("Refused"), 'CANCELLED': _("Cancelled"), 'CLOSED': _("Closed"),
        }
        for item in self:
            item.status_label = labels.get(item.status, item.status)

    # === BUSINESS METHODS === #

    def _importable(self):
        """The units Rakuten says to ship (allow-list: a shipped, closed, claimed or unknown status is not)."""
        return self.filtered(lambda item: item.status in IMPORTABLE)

    def _to_confirm(self):
        return self.filtered(lambda item: item.status == const.STATUS_TO_CONFIRM)

    def _rakuten_named_in(self, text):
        """These units whose item id ``text`` (a note) names as a whole id: ``123`` is not in ``1234``."""
        named = set(re.findall(r'\w+', str(text or '')))
        return self.filtered(lambda item: item.itemid in named)

    @api.model
    def _rakuten_committed(self, company, skus):
        """{sku: units of accepted Rakuten sales not yet turned into orders}: promised to buyers, yet reserved by
        no delivery. The stock push and the "accept when stock covers" policy both subtract them (one query)."""
        return dict(self.sudo()._read_group(
            [('company_id', '=', company.id), ('sale_id.order_id', '=', False),
             ('sale_id.state', 'in', ('accepted', 'error')), ('status', 'in', list(IMPORTABLE)),
             ('sku', 'in', [sku for sku in skus if sku])],
            ['sku'], ['__count'],
        ))
