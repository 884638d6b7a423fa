from odoo import _, models


class AccountTax(models.Model):
    _inherit = 'account.tax'

    def _rakuten_price_included(self):
        """These taxes as price-included ones: marketplace prices are what the buyer paid, VAT included.

        A percent tax not included in price is replaced by its included twin (same rate, group and
        accounts), created once when the company has none.
        """
        result = self.browse()
        for tax in self.sudo():
            if tax.price_include or tax.amount_type != 'percent':
                result |= tax
                continue
            twin = self.sudo().search([
                ('company_id', '=', tax.company_id.id), ('type_tax_use', '=', tax.type_tax_use),
                ('amount_type', '=', 'percent'), ('amount', '=', tax.amount),
                ('tax_group_id', '=', tax.tax_group_id.id), ('price_include_override', '=', 'tax_included'),
            ], limit=1)
            result |= twin or tax.copy({'name': _("%s (incl.)", tax.name),
                                        'price_include_override': 'tax_included'})
        return result.sudo(False)
