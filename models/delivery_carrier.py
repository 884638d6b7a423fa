from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class DeliveryCarrier(models.Model):
    _inherit = 'delivery.carrier'

    rakuten_transporter_id = fields.Many2one(
        'rakuten.transporter', string="Rakuten Transporter",
        help="Name Rakuten knows this carrier by, sent with the tracking number when a delivery is validated.",
    )
    rakuten_needs_url = fields.Boolean(related='rakuten_transporter_id.needs_url')
    rakuten_tracking_url = fields.Char(
        string="Rakuten Tracking URL",
        help="Complete tracking address sent to Rakuten; {tracking} is replaced by the tracking number. "
             "Required by transporters such as \"Autre\".",
    )

    # === CONSTRAINT METHODS === #

    @api.constrains('rakuten_transporter_id', 'rakuten_tracking_url')
    def _check_rakuten_tracking_url(self):
        for carrier in self:
            url = (carrier.rakuten_tracking_url or '').strip()
            if carrier.rakuten_transporter_id.needs_url and not url:
                raise ValidationError(_(
                    "The Rakuten transporter %(transporter)s needs a tracking URL on carrier %(carrier)s.",
                    transporter=carrier.rakuten_transporter_id.name, carrier=carrier.name,
                ))
            if url and not url.lower().startswith(('http://', 'https://')):
                raise ValidationError(_("The Rakuten tracking URL must be a complete http(s) address."))

    # === BUSINESS METHODS === #

    def _rakuten_tracking_url(self, tracking_number):
        """The tracking URL for one parcel ('' when the carrier has none)."""
        self.ensure_one()
        return (self.rakuten_tracking_url or '').replace('{tracking}', tracking_number or '').strip()
