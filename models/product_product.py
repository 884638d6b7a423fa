
from odoo import api, fields, models

from ..rakuten_connector.stock_rules import Rules, published_quantity

LISTING_STATES = [
    ('unknown', "Not published"),
    ('missing', "No Rakuten advert"),
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
    # What Rakuten knows of the product differs per company (each company has its own seller account).
    rakuten_advert_ref = fields.Char(string="Rakuten Advert ID", readonly=True, company_dependent=True)
    rakuten_listing_state = fields.Selection(LISTING_STATES, string="Rakuten Listing", readonly=True,
                                             company_dependent=True, help="Empty: never published.")
    rakuten_published_qty = fields.Integer(string="Last Published Quantity", readonly=True,
                                           company_dependent=True)
    rakuten_published_date = fields.Datetime(string="Last Published On", readonly=True, company_dependent=True)
    rakuten_push_result = fields.Char(string="Last Push Result", readonly=True, company_dependent=True)
    rakuten_preview_qty = fields.Integer(string="Quantity to Publish", compute='_compute_rakuten_preview',
                                         help="What the next stock push would publish on Rakuten now.")
    rakuten_preview_rule = fields.Selection([
        ('no_stock', "No free stock"), ('available', "Free quantity"), ('max_qty', "Max list quantity"),
        ('percentage', "Max list percentage"), ('end_when', "End when quantity"),
    ], string="Decided By", compute='_compute_rakuten_preview')

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

    def _compute_rakuten_preview(self):
        storable = self.filtered(lambda product: product.id and product.is_storable)
        quantities = storable._rakuten_published_quantities(self.env.company) if storable else {}
        for product in self:
            product.rakuten_preview_qty, product.rakuten_preview_rule = quantities.get(product.id, (0, False))

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

    # === BUSINESS METHODS - STOCK === #

    @api.model
    def _rakuten_synced(self, company):
        return self.search([('rakuten_sync', '=', True), ('rakuten_sku', '!=', False), ('is_storable', '=', True),
                            ('company_id', 'in', [False, company.id])])

    def _rakuten_published_quantities(self, company):
        """{product id: (quantity to publish, rule)}: free quantity of the Rakuten stock sources, minus units
        of accepted Rakuten sales not yet turned into orders, through the quantity rules. A few queries
        whatever the number of products."""
        products = self.browse(self.ids)  # a plain prefetch set, whatever the caller's recordset came from
        products.fetch(['rakuten_sku', 'rakuten_custom_rules', 'rakuten_max_qty', 'rakuten_max_percentage',
                    'rakuten_end_when_qty'])
        warehouses = self.env['stock.warehouse'].search([('company_id', '=', company.id),
                                                         ('rakuten_stock_source', '=', True)])
        warehouses = warehouses or company._rakuten_warehouse()
        rows = self.env['stock.quant'].sudo()._read_group(
            [('product_id', 'in', products.ids), ('location_id', 'child_of', warehouses.view_location_id.ids),
             ('location_id.usage', '=', 'internal')],
            ['product_id'], ['quantity:sum', 'reserved_quantity:sum'],
        )
        free = {product.id: quantity - reserved for product, quantity, reserved in rows}
        committed = self.env['rakuten.sale.item']._rakuten_committed(company, products.mapped('rakuten_sku'))
        result = {}
        for product in products:
            rules = Rules(*product._rakuten_rules(company))
            available = free.get(product.id, 0) - committed.get(product.rakuten_sku, 0)
            result[product.id] = published_quantity(available, rules)
        return result

    def _rakuten_last_sent(self, company):
        """{product id: last quantity sent to Rakuten by ``company`` in a file it did not fail to process}."""
        Line = self.env['rakuten.stock.import.line'].sudo()
        latest = Line._read_group([('product_id', 'in', self.ids), ('company_id', '=', company.id),
                                   ('state', '!=', 'failed')],
                                  ['product_id'], ['id:max'])
        lines = Line.browse([line_id for _product, line_id in latest])
        return {line.product_id.id: line.quantity for line in lines}
