from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = 'sale.order.line'

    rakuten_item_ids = fields.One2many('rakuten.sale.item', 'order_line_id', string="Rakuten Units", readonly=True)

    def _compute_price_unit(self):
        """The units of a Rakuten order are at the price the buyer paid, and its shipping at what Rakuten
        charged: a quantity changed (units cancelled) never reprices them from the pricelist."""
        paid = self.filtered(lambda line: line.rakuten_item_ids or (line.is_delivery and line.order_id.rakuten_sale_id))
        return super(SaleOrderLine, self - paid)._compute_price_unit()
