from odoo import api, fields, models

LISTING_STATES = [
    ('unknown', "Not published"),
    ('active', "Listed"),
    ('ended', "Ended (quantity 0)"),
    ('error', "Error"),
]


class ProductProduct(models.Model):
    _inherit = 'product.product'

    rakuten_sku_custom = fields.Char(
        string="Rakuten SKU", copy=False,
        help="Your reference (sellerReference) on the Rakuten advert. Leave empty to use the internal reference.",
    )
    rakuten_sku = fields.Char(
        string="SKU Sent to Rakuten", compute='_compute_rakuten_sku', store=True, index='btree_not_null',
        help="The Rakuten SKU, else the internal reference: how Rakuten sales are matched to this product.",
    )
    rakuten_sync = fields.Boolean(
        string="Sync with Rakuten", default=True,
        help="Publish this product's stock on Rakuten (when the company's stock sync is on).",
    )
    rakuten_custom_rules = fields.Boolean(
        string="Custom Quantity Rules",
        help="Use the three quantity rules below instead of the company's defaults.",
    )
    rakuten_max_qty = fields.Integer(string="Max List Quantity", help="0: no limit.")
    rakuten_max_percentage = fields.Integer(string="Max List Percentage", default=100)
    rakuten_end_when_qty = fields.Integer(
        string="End When Quantity",
        help="Publish 0 when the quantity to publish is at or below this value (0 is a real value).",
    )
    rakuten_advert_id = fields.Char(string="Rakuten Advert ID", readonly=True, copy=False)
    rakuten_listing_state = fields.Selection(LISTING_STATES, string="Rakuten Listing", default='unknown',
                                             readonly=True, copy=False)
    rakuten_published_qty = fields.Integer(string="Last Published Quantity", readonly=True, copy=False)
    rakuten_published_date = fields.Datetime(string="Last Published On", readonly=True, copy=False)
    rakuten_push_result = fields.Char(string="Last Push Result", readonly=True, copy=False)

    _rakuten_rules_valid = models.Constraint(
        'CHECK(rakuten_max_qty >= 0 AND rakuten_end_when_qty >= 0 '
        'AND rakuten_max_percentage >= 0 AND rakuten_max_percentage <= 100)',
        "Rakuten quantity rules cannot be negative, and the percentage is at most 100.",
    )

    # === COMPUTE METHODS === #

    @api.depends('rakuten_sku_custom', 'default_code')
    def _compute_rakuten_sku(self):
        for product in self:
            product.rakuten_sku = (product.rakuten_sku_custom or product.default_code or '').strip() or False

    # === BUSINESS METHODS === #

    def _rakuten_rules(self, company=None):
        """(max list quantity, max list percentage, end when quantity) in force for this product."""
        self.ensure_one()
        source = self if self.rakuten_custom_rules else (company or self.env.company)
        return source.rakuten_max_qty, source.rakuten_max_percentage, source.rakuten_end_when_qty

    @api.model
    def _rakuten_by_sku(self, company, skus):
        """{sku: product} for the SKUs that name exactly one product of ``company`` (one query)."""
        products = self.search([('rakuten_sku', 'in', [sku for sku in skus if sku]),
                                ('company_id', 'in', [False, company.id])])
        return {sku: product for sku, product in products.grouped('rakuten_sku').items() if len(product) == 1}

    def _rakuten_free_qty(self, company):
        """{product id: free quantity} over the company's Rakuten stock source warehouses (one read)."""
        warehouses = self.env['stock.warehouse'].search([('company_id', '=', company.id),
                                                         ('rakuten_stock_source', '=', True)])
        warehouses = warehouses or company._rakuten_warehouse()
        rows = self.with_context(warehouse_id=warehouses.ids).read(['free_qty'])
        return {row['id']: row['free_qty'] for row in rows}
