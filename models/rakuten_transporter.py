from odoo import fields, models


class RakutenTransporter(models.Model):
    """Rakuten's accepted transporter names (editable: Rakuten changes its list over time)."""
    _name = 'rakuten.transporter'
    _description = "Rakuten Transporter"
    _order = 'sequence, name'

    name = fields.Char(string="Rakuten Name", required=True,
                       help="Sent to Rakuten exactly as written (transporter_name).")
    sequence = fields.Integer(default=10)
    needs_url = fields.Boolean(
        string="Needs Tracking URL",
        help="Rakuten only accepts this transporter with a complete tracking URL (e.g. \"Autre\").",
    )
    active = fields.Boolean(default=True)

    _name_unique = models.Constraint('UNIQUE(name)', "This Rakuten transporter name already exists.")
