from datetime import timedelta

from odoo import models

STOCK_PUSH_DELAY = timedelta(minutes=5)  # stock moves come in bursts: one push a few minutes after the first


class StockMove(models.Model):
    _inherit = 'stock.move'

    def _action_done(self, cancel_backorder=False):
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        if moves.filtered(lambda move: move.product_id.rakuten_sync and move.company_id.rakuten_stock_sync):
            self.env['rakuten.stock.import'].sudo()._rakuten_trigger_push()
        moves.sale_line_id.order_id._rakuten_mark_to_invoice()  # units left or came back
        return moves

    def _action_cancel(self):
        """Deliveries of Rakuten units cancelled in Odoo (a delivery cancelled, a backorder dropped): the buyer
        still waits for those units, so they are marked for a user to ship or cancel on Rakuten."""
        if self.env.context.get('rakuten_cancel_decided'):
            return super()._action_cancel()
        moves = self.filtered(lambda move: move.state not in ('done', 'cancel') and move.sale_line_id.rakuten_item_ids
                              and move.location_dest_id.usage == 'customer')
        result = super()._action_cancel()
        for line in moves.sale_line_id:
            line._rakuten_units_left_unshipped()
        for picking in moves.picking_id.filtered(lambda picking: picking.sale_id.rakuten_units_to_decide):
            picking = picking.with_context(lang=picking.company_id._rakuten_lang())  # the company's language
            picking.message_post(body=picking.env._(
                "Units of Rakuten order %s will not leave with this delivery: the order asks whether to cancel them on "
                "Rakuten.", picking.sale_id.name))
        return result
