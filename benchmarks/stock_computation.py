"""Stock sync: quantities and prices to publish for N products, set-based (what the connector does) vs a naive
per-product computation (free_qty read product by product, the pricelist and the taxes asked product by
product, rules and guards applied one by one), in the same run: once with the products' sales price (the
default), once with a Rakuten pricelist (Odoo's pricelist engine computes the products one by one inside its
batch call: its time alone is printed too).

    benchmarks/run stock_computation.py --products 50000
    benchmarks/run stock_computation.py --products 50000 --naive-sample 0   # the naive loop on every product

The naive loop takes several minutes at 50,000 products: by default it runs on a sample of products
(``--naive-sample``) and its time is extrapolated to N, which the output says. Both computations must agree on
the sample.
"""
from common import analyze, environment, parse_args, report, timer


def naive(products, company, warehouses, pricelist):
    """The obvious loop: each product on its own (its own free_qty queries, its own pricelist rule search,
    its own tax computation), rules and guards applied one by one.

    Each product is browsed alone: reading a field on a recordset would let Odoo compute it for the whole
    prefetch batch, which is already the set-based approach."""
    from odoo.addons.rakuten_connector.rakuten_connector import price_rules as rules  # noqa: PLC0415
    from odoo.addons.rakuten_connector.rakuten_connector.stock_rules import Rules, published_quantity  # noqa: PLC0415
    defaults = Rules(company.rakuten_max_qty, company.rakuten_max_percentage, company.rakuten_end_when_qty)
    euro = products.env.ref('base.EUR')
    Product = products.env['product.product'].with_company(company).with_context(warehouse_id=warehouses.ids)
    margin, max_drop, max_rise = (company.rakuten_min_margin, company.rakuten_max_price_drop,
                                  company.rakuten_max_price_rise)
    quantities, prices = {}, {}
    for product_id in products.ids:
        product = Product.browse(product_id)
        quantities[product_id] = published_quantity(product.free_qty, defaults)
        taxes = product.taxes_id._filter_taxes_by_company(company)
        listed = pricelist._get_product_price(product, 1.0, currency=euro)
        price = rules.cents(taxes.compute_all(listed, euro, 1.0, product)['total_included'])
        cost = product.standard_price * (1 + margin / 100)
        floor = rules.cents(taxes.compute_all(cost, euro, 1.0, product, handle_price_include=False)['total_included'])
        published, blocked = rules.guarded_price(price, rules.Guards(
            floor=floor, last_published=rules.cents(product.rakuten_published_price), max_drop_percent=max_drop,
            max_rise_percent=max_rise, confirmed=rules.cents(product.rakuten_price_confirmed), taxed=bool(taxes)))
        prices[product_id] = (price, floor, published, blocked or 'pricelist')
    return quantities, prices


def set_based(products, company):
    """What the stock job computes: every quantity and every price at once."""
    quantities = products._rakuten_published_quantities(company)
    prices = {product_id: tuple(price)[:4]  # price, floor, published, rule (the naive loop has no reference)
              for product_id, price in products._rakuten_prices(company).items()}
    return quantities, prices


def main():
    args = parse_args(__doc__, products=(50000, 'number of products'),
                      naive_sample=(2000, 'products the naive loop runs on, extrapolated to all (0: all)'))
    with environment(args) as env:
        company = env.company
        euro = env.ref('base.EUR')
        euro.active = True
        company.currency_id = euro
        pricelist = env['product.pricelist'].create({
            'name': 'Rakuten (bench)', 'currency_id': euro.id,
            'item_ids': [(0, 0, {'applied_on': '3_global', 'compute_price': 'percentage', 'percent_price': 10})]})
        company.write({'rakuten_max_qty': 10, 'rakuten_max_percentage': 50, 'rakuten_end_when_qty': 1,
                       'rakuten_price_sync': True, 'rakuten_pricelist_id': pricelist.id, 'rakuten_min_margin': 20,
                       'rakuten_max_price_drop': 20})
        vat = env['account.tax'].search([('company_id', '=', company.id), ('type_tax_use', '=', 'sale'),
                                         ('amount_type', '=', 'percent')], limit=1) or env['account.tax'].create({
            'name': 'TVA 20 % (bench)', 'amount': 20, 'amount_type': 'percent', 'type_tax_use': 'sale',
            'company_id': company.id, 'country_id': company.country_id.id or env.ref('base.fr').id})
        warehouse = env['stock.warehouse'].search([('company_id', '=', company.id)], limit=1)
        warehouse.rakuten_stock_source = True
        print(f'Creating {args.products} products with stock, prices, costs and VAT…', flush=True)
        templates = env['product.template'].create([
            {'name': f'Bench {index}', 'default_code': f'BENCH-{index:06d}', 'is_storable': True,
             'list_price': 5 + index % 200, 'standard_price': 2 + index % 150, 'taxes_id': [(6, 0, vat.ids)]}
            for index in range(args.products)
        ])
        products = env['product.product'].browse(templates.product_variant_ids.ids)
        env['stock.quant'].sudo().create([
            {'product_id': product.id, 'location_id': warehouse.lot_stock_id.id, 'quantity': index % 37}
            for index, product in enumerate(products)
        ])
        analyze(env)  # statistics of a catalogue in use, as autovacuum keeps them on a live database
        sample = products if not args.naive_sample else products[::max(len(products) // args.naive_sample, 1)]
        for title, rakuten_pricelist in (('sales price', env['product.pricelist']), ('a Rakuten pricelist', pricelist)):
            company.rakuten_pricelist_id = rakuten_pricelist
            compare(f'Stock quantities and prices ({title}), {len(products)} products', products, sample, company,
                    warehouse, rakuten_pricelist)


def compare(title, products, sample, company, warehouse, pricelist):
    env = products.env
    env.flush_all()
    env.invalidate_all()
    results = {}
    with timer(results, 'naive'):
        expected = naive(sample, company, warehouse, pricelist)
    if len(sample) < len(products):
        measured = results.pop('naive')
        print(f'\nThe naive loop ran on {len(sample)} of {len(products)} products ({measured:.1f} s); its time '
              f'is EXTRAPOLATED to {len(products)} products (× {len(products) / len(sample):.1f}).')
        results[f'naive per-product loop (extrapolated to {len(products)})'] = measured * len(products) / len(sample)
    else:
        results[f'naive per-product loop ({len(products)} products)'] = results.pop('naive')
    env.invalidate_all()
    with timer(results, 'set-based quantities and prices'):
        computed = set_based(products, company)
    if pricelist:  # how much of it is Odoo's own pricelist engine (a loop over the products inside)
        env.invalidate_all()
        with timer(results, "  of which Odoo's pricelist engine"):
            pricelist._get_products_price(products.with_company(company), 1.0, currency=env.ref('base.EUR'))
    for got, want in zip(computed, expected, strict=True):
        assert {product_id: got[product_id] for product_id in sample.ids} == want, 'both must agree'
    names = list(results)
    report(title, results, names[0], names[1])


if __name__ == '__main__':
    main()
