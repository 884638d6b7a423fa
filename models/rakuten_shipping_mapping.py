from odoo import api, fields, models

from ..rakuten_connector import const


class RakutenShippingMapping(models.Model):
    """Which Odoo carrier ships the sales of a Rakuten shipping type (label as Rakuten sends it)."""
    _name = 'rakuten.shipping.mapping'
    _description = "Rakuten Shipping Mapping"
    _order = 'company_id, sequence, name'
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    name = fields.Char(
        string="Rakuten Shipping Type", required=True,
        help="The shipping type label of Rakuten sales, as Rakuten sends it (e.g. Normal, Suivi, Recommandé, "
             "So Colissimo, Point relais Mondial Relay).",
    )
    carrier_id = fields.Many2one('delivery.carrier', string="Odoo Carrier", required=True, ondelete='restrict',
                                 check_company=True)
    requires_tracking = fields.Boolean(
        compute='_compute_requires_tracking', store=True, readonly=False,
        help="The buyer paid for a tracked shipment: warn when a delivery is validated without tracking number.",
    )
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company,
                                 ondelete='cascade')

    @api.depends('name')
    def _compute_requires_tracking(self):
        for mapping in self:
            mapping.requires_tracking = (mapping.name or '').strip() in const.TRACKED_SHIPPING_TYPES

    _name_company_unique = models.Constraint(
        'UNIQUE(company_id, name)', "This Rakuten shipping type is already mapped for this company.",
    )
