from odoo import models


class StockBackorderConfirmation(models.TransientModel):
    _inherit = 'stock.backorder.confirmation'

    def process_cancel_backorder(self):
        """No backorder for units of Rakuten orders: they will not ship, so the dialog asks at once whether to
        cancel them on Rakuten."""
        result = super().process_cancel_backorder()
        if result is not True:
            return result
        orders = self.pick_ids.sale_id.filtered('rakuten_sale_id')
        for line in orders.order_line.filtered('rakuten_item_ids'):  # their remaining demand was dropped
            line._rakuten_units_left_unshipped()
        units = orders.rakuten_sale_id.item_ids.filtered(lambda item: item.cancel_state == 'to_decide')
        if not units._rakuten_cancellable() or not self.env.user.has_group('sales_team.group_sale_salesman'):
            return result
        return orders._rakuten_cancel_dialog(units._rakuten_cancellable(), cancel_orders=False)
