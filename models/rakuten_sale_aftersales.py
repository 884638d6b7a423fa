from odoo import fields, models


class RakutenSale(models.Model):
    _inherit = 'rakuten.sale'

    # A sale not turned into an order yet (awaiting acceptance, held back) shows its buyer's messages itself.
    rakuten_message_ids = fields.One2many('rakuten.message', 'sale_id', string="Rakuten Messages", readonly=True)
