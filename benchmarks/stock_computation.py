"""Stock sync: quantities to publish for N products, set-based (what the connector does) vs a naive
per-product computation (free_qty read product by product, rules applied one by one), in the same run.

    benchmarks/run stock_computation.py --products 50000
"""
from common import environment, parse_args, report, timer


def naive(products, company, warehouses):
    """The obvious loop: each product on its own (its own free_qty queries), rules applied one by one.

    Each product is browsed alone: reading free_qty on a recordset would let Odoo compute it for the
    whole prefetch batch, which is already the set-based approach."""
    from odoo.addons.rakuten_connector.rakuten_connector.stock_rules import Rules, published_quantity  # noqa: PLC0415
    defaults = Rules(company.rakuten_max_qty, company.rakuten_max_percentage, company.rakuten_end_when_qty)
    Product = products.env['product.product'].with_context(warehouse_id=warehouses.ids)
    result = {}
    for product_id in products.ids:
        free = Product.browse(product_id).free_qty
        result[product_id] = published_quantity(free, defaults)
    return result


def main():
    args = parse_args(__doc__, products=(50000, 'number of products'))
    with environment(args) as env:
        company = env.company
        company.write({'rakuten_max_qty': 10, 'rakuten_max_percentage': 50, 'rakuten_end_when_qty': 1})
        warehouse = env['stock.warehouse'].search([('company_id', '=', company.id)], limit=1)
        warehouse.rakuten_stock_source = True
        print(f'Creating {args.products} products with stock…', flush=True)
        templates = env['product.template'].create([
            {'name': f'Bench {index}', 'default_code': f'BENCH-{index:06d}', 'is_storable': True}
            for index in range(args.products)
        ])
        products = env['product.product'].browse(templates.product_variant_ids.ids)
        env['stock.quant'].sudo().create([
            {'product_id': product.id, 'location_id': warehouse.lot_stock_id.id, 'quantity': index % 37}
            for index, product in enumerate(products)
        ])
        env.flush_all()
        env.invalidate_all()
        results = {}
        with timer(results, f'naive per-product loop ({len(products)} products)'):
            expected = naive(products, company, warehouse)
        env.invalidate_all()
        with timer(results, 'set-based _rakuten_published_quantities'):
            computed = products._rakuten_published_quantities(company)
        assert computed == expected, 'both computations must agree'
        names = list(results)
        report(f'Stock computation, {len(products)} products', results, names[0], names[1])


if __name__ == '__main__':
    main()
