import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Odoo's Tracking Link placeholder; {tracking} is accepted too.
TRACKING_PLACEHOLDERS = re.compile(r'<shipmenttrackingnumber>|\{tracking\}')


class DeliveryCarrier(models.Model):
    _inherit = 'delivery.carrier'

    rakuten_transporter_id = fields.Many2one(
        'rakuten.transporter',
        help="Name Rakuten knows this carrier by, sent with the tracking number when a delivery is validated.",
    )
    rakuten_needs_url = fields.Boolean(related='rakuten_transporter_id.needs_url')

    # === CONSTRAINT METHODS === #

    @api.constrains('rakuten_transporter_id', 'tracking_url')
    def _check_rakuten_tracking_url(self):
        for carrier in self:
            url = (carrier.tracking_url or '').strip()
            if carrier.rakuten_transporter_id.needs_url and not url:
                raise ValidationError(self.env._(
                    "The Rakuten transporter %(transporter)s needs the Tracking Link of carrier %(carrier)s.",
                    transporter=carrier.rakuten_transporter_id.name, carrier=carrier.name,
                ))
            if carrier.rakuten_transporter_id and url and not url.lower().startswith(('http://', 'https://')):
                raise ValidationError(self.env._(
                    "The Tracking Link sent to Rakuten must be a complete http(s) address."))

    # === BUSINESS METHODS === #

    def _rakuten_tracking_url(self, tracking_number):
        """The tracking URL sent to Rakuten for one parcel: Odoo's Tracking Link with the number in it ('' when
        the carrier has none)."""
        self.ensure_one()
        return TRACKING_PLACEHOLDERS.sub(lambda _match: tracking_number or '', self.tracking_url or '').strip()
