from odoo import _, api, fields, models

from ..rakuten_connector import RakutenError


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    rakuten_enabled = fields.Boolean(related='company_id.rakuten_enabled', readonly=False)
    rakuten_login = fields.Char(related='company_id.rakuten_login', readonly=False)
    rakuten_token = fields.Char(related='company_id.rakuten_token', readonly=False, groups='base.group_system')
    rakuten_base_url = fields.Char(related='company_id.rakuten_base_url', readonly=False)
    rakuten_seller_id = fields.Char(related='company_id.rakuten_seller_id')
    rakuten_connection_state = fields.Selection(related='company_id.rakuten_connection_state')
    rakuten_connection_message = fields.Char(related='company_id.rakuten_connection_message')
    rakuten_connection_date = fields.Datetime(related='company_id.rakuten_connection_date')
    rakuten_shipping_country_code = fields.Integer(related='company_id.rakuten_shipping_country_code',
                                                   readonly=False)
    rakuten_import_orders = fields.Boolean(related='company_id.rakuten_import_orders', readonly=False)
    rakuten_accept_policy = fields.Selection(related='company_id.rakuten_accept_policy', readonly=False)
    rakuten_mark_despatched = fields.Boolean(related='company_id.rakuten_mark_despatched', readonly=False)
    rakuten_last_order_sync = fields.Datetime(related='company_id.rakuten_last_order_sync', readonly=False)
    rakuten_follow_days = fields.Integer(related='company_id.rakuten_follow_days', readonly=False)
    rakuten_warehouse_id = fields.Many2one(related='company_id.rakuten_warehouse_id', readonly=False)
    rakuten_team_id = fields.Many2one(related='company_id.rakuten_team_id', readonly=False)
    rakuten_default_carrier_id = fields.Many2one(related='company_id.rakuten_default_carrier_id', readonly=False)
    rakuten_import_state = fields.Selection(related='company_id.rakuten_import_state')
    rakuten_import_message = fields.Char(related='company_id.rakuten_import_message')
    rakuten_import_date = fields.Datetime(related='company_id.rakuten_import_date')
    rakuten_stock_sync = fields.Boolean(related='company_id.rakuten_stock_sync', readonly=False)
    rakuten_stock_message = fields.Char(related='company_id.rakuten_stock_message')
    rakuten_stock_date = fields.Datetime(related='company_id.rakuten_stock_date')
    rakuten_max_qty = fields.Integer(related='company_id.rakuten_max_qty', readonly=False)
    rakuten_max_percentage = fields.Integer(related='company_id.rakuten_max_percentage', readonly=False)
    rakuten_end_when_qty = fields.Integer(related='company_id.rakuten_end_when_qty', readonly=False)
    rakuten_price_sync = fields.Boolean(related='company_id.rakuten_price_sync', readonly=False)
    rakuten_pricelist_id = fields.Many2one(related='company_id.rakuten_pricelist_id', readonly=False)
    rakuten_min_margin = fields.Float(related='company_id.rakuten_min_margin', readonly=False)
    rakuten_max_price_drop = fields.Float(related='company_id.rakuten_max_price_drop', readonly=False)

    # === ONCHANGE METHODS === #

    @api.onchange('rakuten_last_order_sync')
    def _onchange_rakuten_last_order_sync(self):
        if self.rakuten_last_order_sync != self.company_id.rakuten_last_order_sync:
            return {'warning': {
                'title': _("Changing the last Rakuten order sync"),
                'message': _("The next import reads the sales purchased since this time. An earlier time "
                             "re-reads sales (already imported ones are skipped); a later time may leave "
                             "sales out of Odoo."),
            }}
        return None

    # === ACTION METHODS === #

    def action_rakuten_test_connection(self):
        """Button: check the credentials now, store the verdict and show it."""
        self.ensure_one()
        success, message = self.company_id._rakuten_test_connection()
        return self._rakuten_notification(_("Rakuten connection"), message, 'success' if success else 'danger')

    def action_rakuten_import_now(self):
        """Button: run an order import now (acceptance included) and say how it went."""
        self.ensure_one()
        company = self.company_id
        if not self.env['rakuten.sale']._rakuten_import(company):
            message, kind = _("An import of Rakuten orders is already running: try again in a moment."), 'warning'
        elif company.rakuten_import_state == 'failed':
            message, kind = company.rakuten_import_message, 'danger'
        else:
            counts = dict(self.env['rakuten.sale']._read_group(
                [('company_id', '=', company.id), ('state', 'in', ('to_accept', 'error'))], ['state'], ['__count']))
            message = _("Rakuten orders imported. To accept: %(to_accept)s. Needing attention: %(error)s.",
                        to_accept=counts.get('to_accept', 0), error=counts.get('error', 0))
            kind = 'success'
        return self._rakuten_notification(_("Rakuten orders"), message, kind)

    def action_rakuten_push_stock(self):
        """Button: read pending stock reports and send what changed, now."""
        self.ensure_one()
        message = self.env['rakuten.stock.import']._rakuten_sync_company(self.company_id)
        return self._rakuten_notification(_("Rakuten stock"), message, 'info')

    def action_rakuten_read_adverts(self):
        """Button: read the seller's adverts (inventory export) and match them to products."""
        self.ensure_one()
        try:
            message = self.env['rakuten.advert']._rakuten_refresh(self.company_id)
        except RakutenError as error:
            return self._rakuten_notification(_("Rakuten adverts"), self.company_id._rakuten_error_message(error),
                                              'danger')
        return self._rakuten_notification(_("Rakuten adverts"), message, 'success')

    def _rakuten_notification(self, title, message, kind):
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {'title': title, 'message': message, 'type': kind, 'sticky': kind in ('danger', 'warning'),
                       'next': {'type': 'ir.actions.client', 'tag': 'soft_reload'}},
        }

    def action_rakuten_shipping_mapping(self):
        return self.env['ir.actions.act_window']._for_xml_id('rakuten_connector.action_rakuten_shipping_mapping')
