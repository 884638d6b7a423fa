from odoo import fields, models


class RakutenTrackingWarning(models.TransientModel):
    """Asked at validation when a Rakuten buyer paid for tracking and the delivery has no tracking number."""
    _name = 'rakuten.tracking.warning'
    _description = "Rakuten Tracking Warning"

    picking_ids = fields.Many2many('stock.picking', string="Deliveries")

    def action_validate(self):
        """Validate the whole batch the user asked to validate (as Odoo's own pre-validation wizards do), not
        only the deliveries without tracking number."""
        batch = self.env['stock.picking'].browse(self.env.context.get('button_validate_picking_ids'))
        return (batch or self.picking_ids).with_context(rakuten_skip_tracking_check=True).button_validate()
