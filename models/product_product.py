from collections import defaultdict
from functools import partial
from decimal import Decimal
from typing import NamedTuple

from odoo import api, fields, models

from ..rakuten_connector import price_rules
from ..rakuten_connector.price_rules import Guards, cents, floor_price, guarded_price, with_vat
from ..rakuten_connector.stock_rules import Rules, published_quantity
from .rakuten_format import rakuten_amount, rakuten_percent
from .rakuten_rights import SALES_MANAGER, check_connector_fields, check_user_may

LISTING_STATES = [
    ('unknown', "Not published"),
    ('missing', "No Rakuten advert"),
    ('active', "Listed"),
    ('ended', "Ended (quantity 0)"),
    ('error', "Error"),
]

class RakutenPrice(NamedTuple):
    price: Decimal  # VAT included, in euros
    floor: Decimal
    published: Decimal | None  # what the guards let out
    rule: str  # what decided it: the price's source, or the guard that blocks it
    reference: Decimal = Decimal(0)  # the last price Odoo published, else Rakuten's today (0: unknown)


PRICE_RULES = [
    ('off', "No price sync"), ('pricelist', "Rakuten pricelist"), ('sales_price', "Sales price (no Rakuten pricelist)"),
    ('fixed', "Fixed Rakuten price"),
    (price_rules.BLOCKED_NO_PRICE, "Blocked: no price"), (price_rules.BLOCKED_FLOOR, "Blocked: under the floor"),
    (price_rules.BLOCKED_DROP, "Blocked: drop to confirm"), (price_rules.BLOCKED_RISE, "Blocked: rise to confirm"),
    (price_rules.BLOCKED_REVIEW, "Blocked: first price to review"),
    (price_rules.BLOCKED_REFUSED, "Blocked: refused by Rakuten"), (price_rules.BLOCKED_NO_TAX, "Blocked: no sale tax"),
]
PRICE_BLOCKS = [rule for rule in PRICE_RULES if rule[0] in price_rules.BLOCKED]


def _plain_percents(taxes):
    """(VAT % that prices exclude, VAT % in all) when ``taxes`` are plain percents (none on another's base, all
    included in prices or all excluded): the taxed price is then simple arithmetic. Else None."""
    if any(tax.amount_type != 'percent' or tax.include_base_amount for tax in taxes) \
            or len(set(taxes.mapped('price_include'))) > 1:
        return None
    return (sum(taxes.filtered(lambda tax: not tax.price_include).mapped('amount')),
            sum(taxes.mapped('amount')))


# What the stock and price sync recorded per company: written by the connector only (users read it).
CONNECTOR_FIELDS = frozenset({
    'rakuten_advert_ref', 'rakuten_listing_state', 'rakuten_published_qty', 'rakuten_published_date',
    'rakuten_push_result', 'rakuten_published_price', 'rakuten_price_confirmed', 'rakuten_price_blocked',
    'rakuten_price_blocked_reason',
})


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

    # Prices: VAT included, in euros, as Rakuten's sellingPrice.
    rakuten_price_sync = fields.Boolean(
        string="Sync Price with Rakuten", default=True,
        help="Publish this product's price on Rakuten (when the company's price sync is on).",
    )
    rakuten_fixed_price = fields.Float(
        string="Fixed Rakuten Price", digits='Product Price',
        help="Publish this price (VAT included, in euros) instead of the Rakuten pricelist's. 0: the pricelist.",
    )
    rakuten_min_price = fields.Float(
        string="Rakuten Price Floor", digits='Product Price',
        help="Never publish a price under this one (VAT included, in euros). 0: cost × (1 + the company's "
             "minimum margin), VAT included.",
    )
    rakuten_published_price = fields.Float(string="Last Published Price", digits='Product Price', readonly=True,
                                           company_dependent=True, help="Accepted by Rakuten, VAT included.")
    rakuten_price_confirmed = fields.Float(
        string="Confirmed Rakuten Price", digits='Product Price', readonly=True, company_dependent=True,
        help="The price a user allowed despite the review of a first price or the maximum drop or rise: for "
             "that price once (forgotten once published, refused or changed).",
    )
    rakuten_price_blocked = fields.Selection(PRICE_BLOCKS, readonly=True,
                                             company_dependent=True)
    rakuten_price_blocked_reason = fields.Char(string="Why the Price Is Blocked", readonly=True,
                                               company_dependent=True)
    rakuten_preview_price = fields.Float(
        string="Price to Publish", digits='Product Price', compute='_compute_rakuten_price_preview',
        help="The Rakuten price now (VAT included, in euros), before the guards.",
    )
    rakuten_price_floor = fields.Float(string="Price Floor", digits='Product Price',
                                       compute='_compute_rakuten_price_preview')
    rakuten_company_price_sync = fields.Boolean(
        compute='_compute_rakuten_company_price_sync',
        help="Whether the current company publishes prices on Rakuten (Settings).")
    rakuten_price_rule = fields.Selection(PRICE_RULES, string="Price Decided By",
                                          compute='_compute_rakuten_price_preview')

    _rakuten_rules_valid = models.Constraint(
        'CHECK(rakuten_max_qty >= 0 AND rakuten_end_when_qty >= 0 '
        'AND rakuten_max_percentage >= 0 AND rakuten_max_percentage <= 100)',
        "Rakuten quantity rules cannot be negative, and the percentage is at most 100.",
    )
    _rakuten_prices_positive = models.Constraint(
        'CHECK(rakuten_fixed_price >= 0 AND rakuten_min_price >= 0)',
        "The fixed Rakuten price and the Rakuten price floor cannot be negative.",
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

    def _compute_rakuten_company_price_sync(self):
        self.rakuten_company_price_sync = self.env.company.rakuten_price_sync

    def _compute_rakuten_price_preview(self):
        company = self.env.company
        priced = self.filtered('id') if company.rakuten_price_sync else self.browse()
        prices = priced._rakuten_prices(company) if priced else {}
        for product in self:
            price = prices.get(product.id)
            product.rakuten_preview_price = price.price if price else 0.0
            product.rakuten_price_floor = price.floor if price else 0.0
            product.rakuten_price_rule = price.rule if price else 'off'

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        check_connector_fields(self, CONNECTOR_FIELDS, vals_list)
        return super().create(vals_list)

    def write(self, vals):
        check_connector_fields(self, CONNECTOR_FIELDS, [vals])
        return super().write(vals)

    # === ACTION METHODS === #

    def action_rakuten_confirm_price(self):
        """Button (sales managers): allow the price that waits for a review or a confirmation of its drop or
        rise; the next stock push sends it. The user's right is checked, then the connector writes its own
        bookkeeping (the push's trigger included)."""
        check_user_may(self, SALES_MANAGER)
        products = self.sudo()
        company = self.env.company
        prices = products._rakuten_prices(company)
        for product in products.filtered(lambda product: product.id in prices
                                         and prices[product.id].rule in price_rules.CONFIRMABLE):
            product.write({'rakuten_price_confirmed': prices[product.id].price, 'rakuten_price_blocked': False,
                           'rakuten_price_blocked_reason': False})
        products.env['rakuten.stock.import']._rakuten_trigger_push()

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
        warehouses = company._rakuten_stock_sources()
        # The company's stock, whatever companies the caller's environment allows (quants are per company), as
        # it is now: the field is computed, not stored, and quants changed since in this transaction do not
        # invalidate it.
        products = self.with_company(company).with_context(warehouse_id=warehouses.ids)
        products.invalidate_recordset(['free_qty'])
        rows = products.read(['free_qty'])
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
        warehouses = company._rakuten_stock_sources()
        rows = self.env['stock.quant'].sudo()._read_group(
            [('product_id', 'in', products.ids), ('location_id', 'child_of', warehouses.view_location_id.ids),
             ('location_id.usage', '=', 'internal')],
            ['product_id'], ['quantity:sum', 'reserved_quantity:sum'],
        )
        free = {product.id: quantity - reserved for product, quantity, reserved in rows}
        committed = self.env['rakuten.sale.item']._rakuten_committed(company, products.mapped('rakuten_sku'))
        defaults = Rules(company.rakuten_max_qty, company.rakuten_max_percentage, company.rakuten_end_when_qty)
        result = {}
        for product in products:
            rules = Rules(*product._rakuten_rules(company)) if product.rakuten_custom_rules else defaults
            available = free.get(product.id, 0) - committed.get(product.rakuten_sku, 0)
            result[product.id] = published_quantity(available, rules)
        return result

    def _rakuten_last_sent(self, company):
        """{product id: (quantity, price or None)} last sent to Rakuten by ``company`` in a file it did not
        fail to process."""
        Line = self.env['rakuten.stock.import.line'].sudo()
        latest = Line._read_group([('product_id', 'in', self.ids), ('company_id', '=', company.id),
                                   ('state', '!=', 'failed')],
                                  ['product_id'], ['id:max'])
        lines = Line.browse([line_id for _product, line_id in latest])
        return {line.product_id.id: (line.quantity, cents(line.price) if line.price else None) for line in lines}

    # === BUSINESS METHODS - PRICES === #

    def _rakuten_prices(self, company):
        """{product id: RakutenPrice} for the products whose price is synced: the price VAT included in euros
        (fixed, else the Rakuten pricelist's plus the VAT it excludes), its floor, what the guards let out.
        A few queries whatever the number of products (the pricelist is computed for them all at once)."""
        products = self.browse(self.ids).with_company(company).filtered('rakuten_price_sync')
        if not products:
            return {}
        euro = self.env.ref('base.EUR')
        from_list = products.filtered(lambda product: not product.rakuten_fixed_price)
        listed = from_list._rakuten_listed_prices(company, euro) if from_list else {}
        to_euro = self._rakuten_rate(company, euro)
        costs = {product.id: product.standard_price * to_euro for product in products.sudo()}
        taxes_of = {}  # {product id: (its taxes, their plain percents)}
        for taxes, product_ids in products._rakuten_sale_taxes(company).items():
            taxes_of.update(dict.fromkeys(product_ids, (taxes, _plain_percents(taxes))))
        margin, max_drop, max_rise = (company.rakuten_min_margin, company.rakuten_max_price_drop,
                                      company.rakuten_max_price_rise)
        refused = products._rakuten_refused_prices(company)
        on_rakuten = products.filtered(lambda product: not product.rakuten_published_price)._rakuten_prices_on_rakuten(
            company)
        taxed = {}  # Odoo's tax engine once per (taxes, amount) of the run
        listed_source = 'pricelist' if company.rakuten_pricelist_id else 'sales_price'
        result = {}
        for product in products:
            taxes, plain = taxes_of[product.id]
            if product.rakuten_fixed_price:
                price, source = cents(product.rakuten_fixed_price), 'fixed'
            elif plain:
                price, source = with_vat(listed[product.id], plain[0]), listed_source
            else:
                price, source = product._rakuten_taxed(taxes, listed[product.id], euro, taxed), listed_source
            if product.rakuten_min_price:
                floor = cents(product.rakuten_min_price)
            elif plain:
                floor = floor_price(costs[product.id], margin, plain[1])
            else:  # the cost excludes every tax: all of them are added
                floor = product._rakuten_taxed(taxes, costs[product.id] * (1 + margin / 100), euro, taxed, cost=True)
            last = cents(product.rakuten_published_price)
            published, blocked = guarded_price(price, Guards(
                floor=floor, last_published=last, max_drop_percent=max_drop, max_rise_percent=max_rise,
                confirmed=cents(product.rakuten_price_confirmed), refused=refused.get(product.id, 0),
                taxed=bool(taxes)))
            reference = last or on_rakuten.get(product.id, Decimal(0))
            result[product.id] = RakutenPrice(price, floor, published, blocked or source, reference)
        return result

    def _rakuten_refused_prices(self, company):
        """{product id: price}: the price of the product's last priced line, when Rakuten refused it (one
        query). Until the price changes, the quantity goes without it (the same file again would be skipped by
        Rakuten as identical to the refused one)."""
        Line = self.env['rakuten.stock.import.line'].sudo()
        latest = Line._read_group([('product_id', 'in', self.ids), ('company_id', '=', company.id),
                                   ('price', '!=', 0), ('state', '!=', 'failed')],
                                  ['product_id'], ['id:max'])
        lines = Line.browse([line_id for _product, line_id in latest]).filtered(lambda line: line.state == 'error')
        return {line.product_id.id: cents(line.price) for line in lines}

    def _rakuten_prices_on_rakuten(self, company):
        """{product id: price}: the price its Rakuten advert shows today, as the company's last read of its
        adverts (inventory export) gave it (one query)."""
        adverts = self.env['rakuten.advert'].sudo().search_read(
            [('company_id', '=', company.id), ('product_id', 'in', self.ids), ('price', '>', 0)],
            ['product_id', 'price'])
        return {advert['product_id'][0]: cents(advert['price']) for advert in adverts}

    def _rakuten_taxed(self, taxes, amount, euro, memo, cost=False):
        """``amount`` with what ``taxes`` add to it, to the cent, by Odoo's tax engine: fixed amounts (an
        eco-participation), taxes on taxes, divisions. ``cost``: the amount includes none of the taxes.
        ``memo``: the run's results by (taxes, amount), unless a tax's formula may read the product."""
        self.ensure_one()
        key = None if 'code' in taxes.mapped('amount_type') else (tuple(taxes.ids), amount, cost)
        if key not in memo:
            total = taxes.compute_all(amount, euro, 1.0, self, handle_price_include=not cost)['total_included']
            if key is None:
                return cents(total)
            memo[key] = cents(total)
        return memo[key]

    def _rakuten_listed_prices(self, company, euro):
        """{product id: price of one unit in euros, VAT as in the sales price}: the company's Rakuten pricelist
        (Odoo's pricelist engine, all products at once), else the sales price with the variant's extra."""
        pricelist = company.rakuten_pricelist_id
        if pricelist:  # in its own currency (its fixed prices and surcharges are), then in euros at today's rate
            prices = pricelist._get_products_price(self, 1.0)
            if pricelist.currency_id == euro:
                return prices
            rate = pricelist.currency_id._convert(1.0, euro, company, fields.Date.context_today(self), round=False)
            return {product_id: price * rate for product_id, price in prices.items()}
        to_euro = self._rakuten_rate(company, euro)
        return {product_id: price * to_euro for product_id, price in self._rakuten_sales_prices().items()}

    def _rakuten_sales_prices(self):
        """{product id: sales price}: the template's plus the extras of the variant's attribute values, as
        ``lst_price`` computes it, in two queries (the computed field costs ~30 µs a product)."""
        extras = dict(self.env['product.template.attribute.value'].sudo().with_context(active_test=False)._read_group(
            [('ptav_product_variant_ids', 'in', self.ids), ('price_extra', '!=', 0)],
            ['ptav_product_variant_ids'], ['price_extra:sum']))
        self.product_tmpl_id.fetch(['list_price'])
        return {product.id: product.product_tmpl_id.list_price + extras.get(product, 0.0) for product in self}

    @api.model
    def _rakuten_rate(self, company, euro):
        """How many euros one unit of the company's currency is worth today (1 for a company in euros)."""
        return company.currency_id._convert(1.0, euro, company, fields.Date.context_today(self), round=False)

    def _rakuten_sale_taxes(self, company):
        """{sale taxes of ``company``: ids of the products that have them}, the template's taxes (a variant has
        its template's) as reading the field gives them (its domain, archived taxes left out). Two queries."""
        products = defaultdict(list)  # {template id: its variants' ids}
        for product in self:
            products[product.product_tmpl_id.id].append(product.id)
        taxes_of = defaultdict(list)
        for taxes, template_ids in self.env['product.template'].sudo().with_context(active_test=False)._read_group(
                [('id', 'in', list(products))], ['taxes_id'], ['id:array_agg']):
            for template_id in template_ids:
                taxes_of[template_id].extend(taxes.ids)
        by_taxes = defaultdict(list)
        for template_id, product_ids in products.items():
            by_taxes[frozenset(taxes_of[template_id])].extend(product_ids)
        field_domain = self.env['product.template']._fields['taxes_id'].get_comodel_domain(self.env['product.template'])
        result = defaultdict(list)
        for tax_ids, product_ids in by_taxes.items():
            taxes = self.env['account.tax'].sudo().browse(tax_ids).filtered_domain(field_domain).filtered('active')
            result[taxes._filter_taxes_by_company(company)].extend(product_ids)
        return result

    def _rakuten_store_price_blocks(self, prices):
        """Write on these products (bound to a company and its language) why their price is blocked, or
        that it is not; only the products whose block changes are written. A confirmation of a price that
        has changed since is forgotten."""
        updates = defaultdict(lambda: self.browse())
        expired = self.filtered(lambda product: product.rakuten_price_confirmed and (
            product.id not in prices or cents(product.rakuten_price_confirmed) != prices[product.id].price))
        if expired:
            expired.rakuten_price_confirmed = 0.0
        for product in self:
            price = prices.get(product.id)
            blocked = price.rule if price and price.rule in price_rules.BLOCKED else False
            reason = product._rakuten_price_block_reason(price) if blocked else False
            if (product.rakuten_price_blocked, product.rakuten_price_blocked_reason) != (blocked, reason):
                updates[blocked, reason] |= product
        for (blocked, reason), products in updates.items():
            products.write({'rakuten_price_blocked': blocked, 'rakuten_price_blocked_reason': reason})

    def _rakuten_price_block_reason(self, price):
        """Why the guards block ``price`` (a RakutenPrice), in the context's language (its amounts and
        percentages too)."""
        self.ensure_one()
        company = self.env.company
        amount = partial(rakuten_amount, self.env)
        if price.rule == price_rules.BLOCKED_FLOOR:
            return self.env._("%(price)s is under the floor of %(floor)s (VAT included).", price=amount(price.price),
                              floor=amount(price.floor))
        if price.rule == price_rules.BLOCKED_DROP:
            return self.env._("%(price)s is more than %(drop)s %% under the last published price (%(last)s): "
                              "confirm it to publish it.", price=amount(price.price),
                              drop=rakuten_percent(self.env, company.rakuten_max_price_drop),
                              last=amount(price.reference))
        if price.rule == price_rules.BLOCKED_RISE:
            return self.env._("%(price)s is more than %(rise)s %% above the last published price (%(last)s): "
                              "confirm it to publish it.", price=amount(price.price),
                              rise=rakuten_percent(self.env, company.rakuten_max_price_rise),
                              last=amount(price.reference))
        if price.rule == price_rules.BLOCKED_REVIEW and price.reference:
            return self.env._("First price published by Odoo: %(current)s on Rakuten today, %(price)s to publish "
                              "(VAT included): confirm it to publish it.", current=amount(price.reference),
                              price=amount(price.price))
        if price.rule == price_rules.BLOCKED_REVIEW:
            return self.env._("First price published by Odoo: %(price)s to publish (VAT included), Rakuten's current "
                              "price unknown (Read Rakuten adverts in the settings): confirm it to publish it.",
                              price=amount(price.price))
        if price.rule == price_rules.BLOCKED_REFUSED:
            return self.env._("Rakuten refused %(price)s (see Last Push Result): the quantity goes without a price "
                              "until the price changes.", price=amount(price.price))
        if price.rule == price_rules.BLOCKED_NO_TAX:
            return self.env._("No sale tax of the company on this product: its price would be published VAT excluded. "
                              "Set its customer taxes (a 0 % tax when you charge no VAT).")
        return self.env._("No price above 0 €.")
