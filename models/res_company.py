from odoo import _, fields, models
from odoo.exceptions import UserError

from ..rakuten_connector import (
    AuthError, ParameterError, QuotaError, RakutenClient, ResponseError, RightsError, TransientError, const,
)


class ResCompany(models.Model):
    _inherit = 'res.company'

    rakuten_enabled = fields.Boolean(string="Rakuten Integration")
    rakuten_login = fields.Char(
        string="Rakuten Login",
        help="The name of your Rakuten shop (the seller pseudo shown in the back-office banner), not your "
             "e-mail address.",
        copy=False,
    )
    rakuten_token = fields.Char(
        string="Rakuten Token API",
        help="Generated in your Rakuten seller account: My Account > Account settings > Tokens.",
        copy=False,
        groups='base.group_system',
    )
    rakuten_base_url = fields.Char(
        string="Rakuten API Endpoint", default=const.PRODUCTION_URL, required=True,
    )
    rakuten_seller_id = fields.Char(string="Rakuten Seller ID", readonly=True, copy=False)

    # === BUSINESS METHODS - CLIENT === #

    def _rakuten_client(self, timeout=const.DEFAULT_TIMEOUT):
        """Build the API client from this company's settings (sudo: the token is admin-only)."""
        self.ensure_one()
        company = self.sudo()
        if not (company.rakuten_login and company.rakuten_token):
            raise UserError(_("Set the Rakuten login and Token API of %s first.", self.name))
        return RakutenClient(company.rakuten_base_url or const.PRODUCTION_URL, company.rakuten_login,
                             company.rakuten_token, timeout=timeout)

    def _rakuten_error_message(self, error):
        """A translated sentence telling the user what went wrong with a Rakuten call, and what to do."""
        if isinstance(error, AuthError):
            return _("Rakuten refused the login or the token. Check that the login is your shop name (not "
                     "your e-mail address), and regenerate the token in your Rakuten account if it changed.")
        if isinstance(error, QuotaError):
            return _("Rakuten's hourly request quota is used up. Try again after the top of the hour.")
        if isinstance(error, RightsError):
            return _("Your Rakuten account is not allowed to use this service (a PRO account is required; "
                     "some services must be enabled by Rakuten). Details: %s", error)
        if isinstance(error, ParameterError):
            return _("Rakuten rejected the request: %s", error)
        if isinstance(error, TransientError):
            return _("Rakuten could not be reached or is unavailable right now: %s. Try again later.", error)
        if isinstance(error, ResponseError):
            return _("Rakuten sent an answer that could not be read: %s", error)
        return _("Rakuten error: %s", error)
