from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rakuten_connector import RakutenError
from .rakuten_rights import SETTINGS, check_user_may


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    rakuten_enabled = fields.Boolean(related='company_id.rakuten_enabled', readonly=False)
    rakuten_login = fields.Char(related='company_id.rakuten_login', readonly=False)
    rakuten_token = fields.Char(related='company_id.rakuten_token', readonly=False, groups='base.group_system')
    rakuten_base_url = fields.Char(related='company_id.rakuten_base_url', readonly=False)
    rakuten_seller_ref = fields.Char(related='company_id.rakuten_seller_ref')
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
    rakuten_user_id = fields.Many2one(related='company_id.rakuten_user_id', readonly=False)
    rakuten_user_tz = fields.Char(compute='_compute_rakuten_user_tz', string="Rakuten Time Zone")
    rakuten_default_carrier_id = fields.Many2one(related='company_id.rakuten_default_carrier_id', readonly=False)
    rakuten_invoice_policy = fields.Selection(related='company_id.rakuten_invoice_policy', readonly=False)
    rakuten_journal_id = fields.Many2one(related='company_id.rakuten_journal_id', readonly=False)
    rakuten_refund_policy = fields.Selection(related='company_id.rakuten_refund_policy', readonly=False)
    rakuten_wallet_account_id = fields.Many2one(related='company_id.rakuten_wallet_account_id', readonly=False)
    rakuten_fee_account_id = fields.Many2one(related='company_id.rakuten_fee_account_id', readonly=False)
    rakuten_fee_tax_id = fields.Many2one(related='company_id.rakuten_fee_tax_id', readonly=False)
    rakuten_adjustment_account_id = fields.Many2one(related='company_id.rakuten_adjustment_account_id',
                                                    readonly=False)
    rakuten_responsible_id = fields.Many2one(related='company_id.rakuten_responsible_id', readonly=False)
    rakuten_aftersales_state = fields.Selection(related='company_id.rakuten_aftersales_state')
    rakuten_aftersales_message = fields.Char(related='company_id.rakuten_aftersales_message')
    rakuten_aftersales_date = fields.Datetime(related='company_id.rakuten_aftersales_date')
    rakuten_import_state = fields.Selection(related='company_id.rakuten_import_state')
    rakuten_import_message = fields.Char(related='company_id.rakuten_import_message')
    rakuten_import_date = fields.Datetime(related='company_id.rakuten_import_date')
    rakuten_stock_sync = fields.Boolean(related='company_id.rakuten_stock_sync', readonly=False)
    rakuten_stock_state = fields.Selection(related='company_id.rakuten_stock_state')
    rakuten_stock_message = fields.Char(related='company_id.rakuten_stock_message')
    rakuten_stock_date = fields.Datetime(related='company_id.rakuten_stock_date')
    rakuten_max_qty = fields.Integer(related='company_id.rakuten_max_qty', readonly=False)
    rakuten_max_percentage = fields.Integer(related='company_id.rakuten_max_percentage', readonly=False)
    rakuten_end_when_qty = fields.Integer(related='company_id.rakuten_end_when_qty', readonly=False)
    rakuten_price_sync = fields.Boolean(related='company_id.rakuten_price_sync', readonly=False)
    rakuten_pricelist_id = fields.Many2one(related='company_id.rakuten_pricelist_id', readonly=False)
    rakuten_min_margin = fields.Float(related='company_id.rakuten_min_margin', readonly=False)
    rakuten_max_price_drop = fields.Float(related='company_id.rakuten_max_price_drop', readonly=False)
    rakuten_max_price_rise = fields.Float(related='company_id.rakuten_max_price_rise', readonly=False)

    # === COMPUTE METHODS === #

    def _compute_rakuten_user_tz(self):
        """The zone the dates of the form are shown in (the user's), named next to them."""
        for settings in self:
            settings.rakuten_user_tz = self.env.user.tz or 'UTC'

    # === ONCHANGE METHODS === #

    @api.onchange('rakuten_last_order_sync')
    def _onchange_rakuten_last_order_sync(self):
        if self.rakuten_last_order_sync != self.company_id.rakuten_last_order_sync:
            return {'warning': {
                'title': self.env._("Changing the last Rakuten order sync"),
                'message': self.env._("The next import reads the sales purchased since this time. An earlier time "
                             "re-reads sales (already imported ones are skipped); a later time may leave "
                             "sales out of Odoo."),
            }}
        return None

    # === ACTION METHODS === #
    # Each button works in the company's language, stores its result where the Rakuten section shows it, and
    # reloads the form in place (the user stays in the section) after a notification.

    def action_rakuten_test_connection(self):
        """Button: check the credentials now, store the verdict and show it."""
        self.ensure_one()
        company = self._rakuten_company()
        success, message = company._rakuten_test_connection()
        return self._rakuten_notification(self.env._("Rakuten connection"), message, 'success' if success else 'danger')

    def action_rakuten_import_now(self):
        """Button: run an order import now (acceptance included) and say how it went."""
        self.ensure_one()
        company = self._rakuten_company()
        Sale = company.env['rakuten.sale']
        orders_before = self._rakuten_order_count(company)
        if not Sale._rakuten_import(company, until_commit=True):  # as the other buttons, the lock until commit
            return self._rakuten_notification(
                self.env._("Rakuten orders"),
                self.env._("An import of Rakuten orders is already running: try again in a moment."),
                'warning')
        if company.rakuten_import_state == 'failed':
            return self._rakuten_notification(self.env._("Rakuten orders"), company.rakuten_import_message, 'danger')
        counts = dict(Sale._read_group(
            [('company_id', '=', company.id), ('state', 'in', ('to_accept', 'error'))], ['state'], ['__count']))
        created = self._rakuten_order_count(company) - orders_before
        if created == 0:
            message = self.env._("No new order.")
        elif created == 1:
            message = self.env._("1 order created.")
        else:
            message = self.env._("%(count)s orders created.", count=created)
        message = ' '.join((message, self.env._("To accept: %(to_accept)s. Needing attention: %(error)s.",
                                                to_accept=counts.get('to_accept', 0), error=counts.get('error', 0))))
        company._rakuten_job_status('import', {'message': message})
        return self._rakuten_notification(self.env._("Rakuten orders"), message, 'success')

    def action_rakuten_push_stock(self):
        """Button: read pending stock reports and send what changed, now."""
        self.ensure_one()
        company = self._rakuten_company()
        message = company.env['rakuten.stock.import']._rakuten_sync_company(company)
        return self._rakuten_notification(self.env._("Rakuten stock"), message, 'info')

    def action_rakuten_read_adverts(self):
        """Button: read the seller's adverts (inventory export) and match them to products."""
        self.ensure_one()
        company = self._rakuten_company()
        try:
            message, kind = company.env['rakuten.advert']._rakuten_refresh(company), 'success'
        except (RakutenError, UserError) as error:
            message, kind = company._rakuten_error_message(error), 'danger'
        company._rakuten_job_status('stock', {'state': 'ok' if kind == 'success' else 'failed', 'message': message,
                                              'date': fields.Datetime.now()})
        return self._rakuten_notification(self.env._("Rakuten adverts"), message, kind)

    def _rakuten_company(self):
        """The settings' company, in its own language: what the buttons store is in that language. Only
        settings administrators click these buttons; the work is then done with the connector's rights."""
        check_user_may(self, SETTINGS, 'write')
        company = self.company_id.sudo()
        return company._rakuten_env(company)

    def _rakuten_order_count(self, company):
        return self.env['sale.order'].sudo().search_count([('company_id', '=', company.id),
                                                           ('rakuten_sale_id', '!=', False)])

    def _rakuten_notification(self, title, message, kind):
        # The notification is shown in the user's language; the form then reloads in place, where the
        # Rakuten section shows the stored result.
        return {
            'type': 'ir.actions.client',
            'tag': 'display_notification',
            'params': {'title': title, 'message': message, 'type': kind, 'sticky': kind in ('danger', 'warning'),
                       'next': {'type': 'ir.actions.act_window_close'}},
        }

    def action_rakuten_shipping_mapping(self):
        return self.env['ir.actions.act_window']._for_xml_id('rakuten_connector.action_rakuten_shipping_mapping')
