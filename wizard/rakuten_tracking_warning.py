from odoo import fields, models


class RakutenTrackingWarning(models.TransientModel):
    """Asked at validation when a Rakuten buyer paid for tracking and the delivery has no tracking number."""
    _name = 'rakuten.tracking.warning'
    _description = "Rakuten Tracking Warning"

    picking_ids = fields.Many2many('stock.picking', string="Deliveries")

    def action_validate(self):
        return self.picking_ids.with_context(rakuten_skip_tracking_check=True).button_validate()
