from odoo import api, models
from odoo.exceptions import UserError


class ProductPricelist(models.Model):
    _inherit = 'product.pricelist'

    @api.model
    def _rakuten_euro(self, company):
        """The pricelist of Rakuten orders, which are in euros: a EUR pricelist, or none when the company
        itself counts in euros (the order then takes the company currency)."""
        euro = self.env.ref('base.EUR')
        pricelist = self.search([('currency_id', '=', euro.id), ('company_id', 'in', [False, company.id])],
                                limit=1)
        if not pricelist and company.currency_id != euro:
            raise UserError(self.env._("Rakuten sales are in euros: create a pricelist in EUR for %s.", company.name))
        return pricelist
