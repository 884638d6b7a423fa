from odoo import fields, models


class AccountMove(models.Model):
    _inherit = 'account.move'

    rakuten_generated = fields.Boolean(
        string="Made by the Rakuten Connector", readonly=True, copy=False,
        help="An invoice or credit note the connector made for the units of a Rakuten order (a user's credit note, "
             "a commercial gesture, is not a unit returned or refunded).")
