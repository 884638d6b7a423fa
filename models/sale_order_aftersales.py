from odoo import api, fields, models

from .rakuten_rights import SALESMAN, check_user_may

CLAIM_STATES = [
    ('amicable', "Amicable Claim"),
    ('open', "Claim with Rakuten"),
    ('closed', "Claim Closed"),
]


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    rakuten_aftersale_ids = fields.One2many('rakuten.aftersale', 'order_id', string="Rakuten After-Sales")
    rakuten_claim_state = fields.Selection(
        CLAIM_STATES, string="Rakuten Claim", compute='_compute_rakuten_claim_state', store=True, index=True,
    )

    # === COMPUTE METHODS === #

    @api.depends('rakuten_aftersale_ids.claim_open', 'rakuten_aftersale_ids.claim_amicable',
                 'rakuten_aftersale_ids.claim_type')
    def _compute_rakuten_claim_state(self):
        for order in self:
            claims = order.rakuten_aftersale_ids.filtered('claim_type')
            open_claims = claims.filtered('claim_open')
            if open_claims:
                order.rakuten_claim_state = 'amicable' if all(open_claims.mapped('claim_amicable')) else 'open'
            else:
                order.rakuten_claim_state = 'closed' if claims else False

    # === ACTION METHODS === #

    def action_rakuten_reply(self):
        """Button: the composer of a message to the buyer or to Rakuten's customer service."""
        self.ensure_one()
        check_user_may(self, SALESMAN, 'write')  # as sending checks it
        return {
            'type': 'ir.actions.act_window',
            'name': self.env._("Reply on Rakuten"),
            'res_model': 'rakuten.reply',
            'view_mode': 'form',
            'target': 'new',
            'context': {'default_order_id': self.id},
        }

    def action_rakuten_claims(self):
        """Smart button: the order's claim, or the list of its claims (open or closed) when there are several."""
        self.ensure_one()
        self.check_access('read')
        self.env['rakuten.aftersale'].check_access('read')
        claims = self.env['rakuten.aftersale'].search([('order_id', '=', self.id), ('claim_type', '!=', False)])
        action = self.env['ir.actions.act_window']._for_xml_id('rakuten_connector.action_rakuten_claim')
        action.update(domain=[('id', 'in', claims.ids)], context={})
        if len(claims) == 1:
            # The claim itself, as Odoo's smart buttons open their only record.
            form = self.env.ref('rakuten_connector.rakuten_aftersale_view_form').id
            action.update(res_id=claims.id, view_mode='form', views=[(form, 'form')])
        return action
