from odoo import models


class StockScrap(models.Model):
    _inherit = 'stock.scrap'

    def do_scrap(self):
        """Scrapped stock may leave Rakuten units without anything to ship them: a user is asked to decide."""
        result = super().do_scrap()
        lines = self.env['sale.order.line'].sudo().search([
            ('product_id', 'in', self.product_id.ids), ('company_id', 'in', self.company_id.ids),
            ('order_id.rakuten_sale_id', '!=', False), ('order_id.state', '=', 'sale'),
            ('rakuten_item_ids', '!=', False),
        ])
        for line in lines:
            line._rakuten_units_short()
        return result
