from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    rakuten_responsible_id = fields.Many2one(related='company_id.rakuten_responsible_id', readonly=False)
    rakuten_aftersales_state = fields.Selection(related='company_id.rakuten_aftersales_state')
    rakuten_aftersales_message = fields.Char(related='company_id.rakuten_aftersales_message')
    rakuten_aftersales_date = fields.Datetime(related='company_id.rakuten_aftersales_date')
