from odoo import models


class AccountTax(models.Model):
    _inherit = 'account.tax'

    # === BUSINESS METHODS === #

    def _rakuten_price_included(self):
        """These taxes as price-included ones: marketplace prices are what the buyer paid, VAT included.

        A percent tax not included in price is replaced by its included twin: the chart's own when it ships one
        (the French chart's "20% G INC" twin of "20% G", archived by default: it is reactivated), else a copy
        made once. A 0 % tax (exports, overseas departments) is the same either way and is kept.
        """
        result = self.browse()
        for tax in self.sudo():
            if tax.price_include or tax.amount_type != 'percent' or not tax.amount:
                result |= tax
                continue
            twin = tax._rakuten_included_twin()
            if not twin:
                twin = tax.copy({'name': self.env._("%s (incl.)", tax.name), 'price_include_override': 'tax_included'})
            elif not twin.active:
                twin.active = True
            result |= twin
        return result.sudo(False)

    def _rakuten_included_twin(self):
        """The price-included tax with this tax's rate, scope, group, exigibility and accounts, if any
        (archived ones included)."""
        self.ensure_one()
        candidates = self.with_context(active_test=False).search([
            ('company_id', '=', self.company_id.id), ('type_tax_use', '=', self.type_tax_use),
            ('amount_type', '=', 'percent'), ('amount', '=', self.amount), ('tax_scope', '=', self.tax_scope),
            ('tax_group_id', '=', self.tax_group_id.id), ('tax_exigibility', '=', self.tax_exigibility),
            ('price_include_override', '=', 'tax_included'),
        ], order='active desc, sequence, id')
        accounts = self._rakuten_accounting()
        return candidates.filtered(lambda candidate: candidate._rakuten_accounting() == accounts)[:1]

    def _rakuten_accounting(self):
        """Where the tax goes: its repartition lines' kind, share and account."""
        self.ensure_one()
        return sorted((line.document_type, line.repartition_type, line.factor_percent, line.account_id.id)
                      for line in self.repartition_line_ids)
