from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = 'stock.warehouse'

    rakuten_stock_source = fields.Boolean(
        help="The free quantity of this warehouse counts toward the stock published on Rakuten.",
    )
