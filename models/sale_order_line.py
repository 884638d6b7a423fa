from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = 'sale.order.line'

    rakuten_item_ids = fields.One2many('rakuten.sale.item', 'order_line_id', string="Rakuten Units", readonly=True)

    def _compute_price_unit(self):
        """The units of a Rakuten order are at the price the buyer paid, and its shipping at what Rakuten
        charged: a quantity changed (units cancelled) never reprices them from the pricelist."""
        rakuten = self.filtered(lambda line: line.order_id.rakuten_sale_id)
        paid = rakuten.filtered(lambda line: line.is_delivery or line.rakuten_item_ids)
        return super(SaleOrderLine, self - paid)._compute_price_unit()
