from datetime import timedelta

from odoo import models

STOCK_PUSH_DELAY = timedelta(minutes=5)  # stock moves come in bursts: one push a few minutes after the first


class StockMove(models.Model):
    _inherit = 'stock.move'

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        if moves.filtered(lambda move: move.product_id.rakuten_sync and move.company_id.rakuten_stock_sync):
            self.env['rakuten.stock.import'].sudo()._rakuten_trigger_push()
        if moves.filtered(lambda move: move.company_id.rakuten_invoice_policy == 'delivery'
                          and move.sale_line_id.order_id.rakuten_sale_id):
            self.env.ref('rakuten_connector.ir_cron_rakuten_invoice').sudo()._trigger()
        return moves
