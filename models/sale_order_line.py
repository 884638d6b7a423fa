from odoo import fields, models

from .rakuten_sale_item import GONE_STATUSES


class SaleOrderLine(models.Model):
    _inherit = 'sale.order.line'

    rakuten_item_ids = fields.One2many('rakuten.sale.item', 'order_line_id', string="Rakuten Units", readonly=True)

    def _compute_price_unit(self):
        """The units of a Rakuten order are at the price the buyer paid, and its shipping at what Rakuten
        charged: a quantity changed (units cancelled) never reprices them from the pricelist."""
        rakuten = self.filtered(lambda line: line.order_id.rakuten_sale_id)
        paid = rakuten.filtered(lambda line: line.is_delivery or line.rakuten_item_ids)
        return super(SaleOrderLine, self - paid)._compute_price_unit()

    def write(self, vals):
        """A user lowering the quantity of a Rakuten line takes units off the order that Rakuten still shows as
        accepted: they leave the line, and the order asks whether to cancel them on Rakuten. A line lowered (by
        a user or by Rakuten's cancellation) may leave an order partly delivered with nothing more to ship: the
        invoice job looks at it again (its shipping is due once all its units left)."""
        if 'product_uom_qty' not in vals:
            return super().write(vals)
        before = {line: line.product_uom_qty for line in self if line.rakuten_item_ids}
        result = super().write(vals)
        lowered = self.browse([line.id for line, quantity in before.items() if line.product_uom_qty < quantity])
        started = lowered.order_id.filtered(lambda order: any(order.order_line.mapped('qty_delivered')))
        started._rakuten_mark_to_invoice()
        if not self.env.context.get('rakuten_connector'):
            for line in lowered:
                line._rakuten_units_removed_by_user()
        return result

    def _rakuten_units_removed_by_user(self):
        self.ensure_one()
        on_line = self.rakuten_item_ids.filtered(lambda item: item.status not in GONE_STATUSES)
        surplus = len(on_line) - int(self.product_uom_qty)
        removed = on_line._rakuten_cancellable().sorted('id', reverse=True)[:max(surplus, 0)]
        new = removed.filtered(lambda item: item.cancel_state != 'to_decide')  # the move hook may have told already
        removed.sudo().write({'order_line_id': False, 'cancel_state': 'to_decide'})
        if new:
            new.sale_id._rakuten_units_to_decide(new)
        if removed:
            removed.sale_id._rakuten_shipping_kept(removed)

    def _rakuten_units_left_unshipped(self):
        """Units of this line that no delivery will ship any more (its deliveries cancelled) are marked for a user
        to decide: ship them from a new delivery, or cancel them on Rakuten."""
        self.ensure_one()
        if self.order_id.state == 'cancel':
            return
        open_moves = self.move_ids.filtered(lambda move: move.state not in ('done', 'cancel')
                                            and move.location_dest_id.usage == 'customer')
        coming = int(sum(open_moves.mapped('product_uom_qty')) + self.qty_delivered)
        waiting = self.rakuten_item_ids.filtered(lambda item: item.status not in GONE_STATUSES)
        stranded = waiting._rakuten_cancellable().filtered(lambda item: item.cancel_state != 'to_decide')
        stranded = stranded.sorted('id', reverse=True)[:max(len(waiting) - coming, 0)]
        if stranded:
            stranded.sudo().cancel_state = 'to_decide'
            stranded.sale_id._rakuten_units_to_decide(stranded)

    def _rakuten_units_left_and_kept(self):
        """(units that left, units the buyer keeps and paid for): those that left, less those returned or refunded
        by Rakuten; a unit both returned and refunded counts once."""
        self.ensure_one()
        if self.move_ids and not self.move_ids.filtered(lambda move: move.product_id == self.product_id):
            # A kit: its components move, Odoo counts the kits delivered (returns included).
            left, returned = self.qty_delivered, 0
        else:
            outgoing, _incoming = self._get_outgoing_incoming_moves()
            left = sum(move.product_uom._compute_quantity(move.quantity, self.product_uom_id,
                                                          rounding_method='HALF-UP')
                       for move in outgoing if move.state == 'done')
            returned = left - self.qty_delivered
        refunded = len(self.rakuten_item_ids.filtered(lambda item: item.status in GONE_STATUSES))
        return left, left - max(returned, refunded)

    def _rakuten_invoiced_lines(self):
        """This line's invoice lines that count for the connector: every invoice (a user's too: never invoiced
        twice), only the credit notes the connector made (a user's credit note, a commercial gesture, is not a
        unit returned or refunded); drafts included (they will be posted), cancelled ones not."""
        self.ensure_one()
        return self.invoice_lines.filtered(lambda line: line.move_id.state != 'cancel' and (
            line.move_id.move_type == 'out_invoice' or line.move_id.rakuten_generated))

    def _rakuten_units_invoiced(self):
        self.ensure_one()
        return sum(line.product_uom_id._compute_quantity(line.quantity, self.product_uom_id)
                   * (-1 if line.move_id.move_type == 'out_refund' else 1) for line in self._rakuten_invoiced_lines())

    def _rakuten_amount_invoiced(self):
        """What this line's invoices charged less what the connector's credit notes gave back, VAT included."""
        self.ensure_one()
        return sum(line.price_total * (-1 if line.move_id.move_type == 'out_refund' else 1)
                   for line in self._rakuten_invoiced_lines())

    def _rakuten_units_short(self):
        """After stock was scrapped: the units of this line that neither their reservation nor the free stock of
        the warehouse can ship any more are marked for a user to decide (ship once restocked, or cancel on
        Rakuten), with an activity by the day they should leave."""
        self.ensure_one()
        moves = self.move_ids.filtered(lambda move: move.state not in ('done', 'cancel')
                                       and move.location_dest_id.usage == 'customer')
        if not moves or self.order_id.state != 'sale':
            return
        product = self.product_id.with_context(warehouse_id=self.order_id.warehouse_id.id)
        product.invalidate_recordset(['free_qty'])
        short = int(sum(moves.mapped('product_uom_qty')) - sum(moves.mapped('quantity')) - max(product.free_qty, 0))
        waiting = self.rakuten_item_ids.filtered(lambda item: item.status not in GONE_STATUSES)
        stranded = waiting._rakuten_cancellable().filtered(lambda item: item.cancel_state != 'to_decide')
        stranded = stranded.sorted('id', reverse=True)[:max(short, 0)]
        if stranded:
            stranded.sudo().cancel_state = 'to_decide'
            sale = stranded.sale_id
            sale._rakuten_units_to_decide(stranded, note=self.env._(
                "The stock was scrapped, these can no longer be shipped: %(units)s. The buyer waits: ship once "
                "restocked, or cancel on Rakuten (button on the order).",
                units=stranded._rakuten_products()))

