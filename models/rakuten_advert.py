from odoo import api, fields, models


class RakutenAdvert(models.Model):
    """The seller's adverts as Rakuten's inventory export lists them, matched to Odoo products by SKU."""
    _name = 'rakuten.advert'
    _description = "Rakuten Advert"
    _order = 'sku, advert_ref'
    _rec_name = 'sku'

    company_id = fields.Many2one('res.company', required=True, readonly=True, index=True,
                                 default=lambda self: self.env.company)
    advert_ref = fields.Char(string="Advert ID", required=True, readonly=True)
    sku = fields.Char(string="SKU", readonly=True, index=True)
    headline = fields.Char(string="Title", readonly=True)
    stock = fields.Integer(string="Rakuten Stock", readonly=True)
    price = fields.Float(digits='Product Price', readonly=True)
    product_id = fields.Many2one('product.product', string="Odoo Product", readonly=True, index='btree_not_null')

    _advert_company_unique = models.Constraint('UNIQUE(company_id, advert_ref)', "This advert is already listed.")

    @api.model
    def _rakuten_refresh(self, company):
        """Replace the company's advert list by Rakuten's export, fill advert ids, flag both kinds of orphans.

        :return: translated summary
        """
        self = self.sudo()  # noqa: PLW0642 - the adverts and the products' listing are the connector's
        company = company.with_env(self.env)
        adverts = list(company._rakuten_client().iter_inventory())
        self.search([('company_id', '=', company.id)]).unlink()
        products = self.env['product.product'].with_company(company)._rakuten_synced(company)
        by_sku = {product.rakuten_sku: product for product in products}
        records = self.create([{
            'company_id': company.id, 'advert_ref': advert.advertid, 'sku': advert.sku, 'headline': advert.headline,
            'stock': advert.stock, 'price': float(advert.price.amount) if advert.price else 0.0,
            'product_id': by_sku[advert.sku].id if advert.sku in by_sku else False,
        } for advert in adverts])
        matched = records.product_id.with_company(company)  # advert ids and listing states are per company
        for record in records.filtered('product_id'):
            record.product_id.with_company(company).rakuten_advert_ref = record.advert_ref
        unlisted = (products - matched).filtered(
            lambda product: product.rakuten_listing_state in (False, 'unknown', 'missing'))
        unlisted.rakuten_listing_state = 'missing'
        matched.filtered(lambda product: product.rakuten_listing_state == 'missing').rakuten_listing_state = 'unknown'
        return self.env._("Rakuten adverts read: %(adverts)s. Matched to a product: %(matched)s; without Odoo "
                          "product: %(orphans)s; synced products without advert: %(missing)s.", adverts=len(records),
                 matched=len(matched), orphans=len(records) - len(records.filtered('product_id')),
                 missing=len(products - matched))
