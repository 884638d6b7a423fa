from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    rakuten_aftersales_state = fields.Selection(
        [('never', "Never run"), ('ok', "Succeeded"), ('failed', "Failed")], string="Last Rakuten Messages Run",
        default='never', readonly=True, copy=False,
    )
    rakuten_aftersales_message = fields.Char(string="Last Rakuten Messages Run Message", readonly=True,
                                             copy=False)
    rakuten_aftersales_date = fields.Datetime(string="Last Rakuten Messages Run On", readonly=True, copy=False)
