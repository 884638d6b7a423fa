"""Order import: N Rakuten sales through the connector (fake server in its own process, over HTTP, with an
optional network latency per call: accept each item, read billing, create and confirm orders) vs creating
and confirming the same N orders directly through the ORM, in the same run.

    benchmarks/run order_import.py --sales 1000 --latency-ms 150
"""
from common import FakeRakutenProcess, analyze, environment, parse_args, report, timer

WARM_UP = 20  # orders made before measuring, so that the statistics describe tables in use (see analyze)


def setup(env):
    from odoo import Command  # noqa: PLC0415
    company = env.company
    euro = env.ref('base.EUR')
    euro.active = True
    company.currency_id = euro
    tax = env['account.tax'].create({'name': 'TVA 20 % bench', 'amount': 20, 'type_tax_use': 'sale'})
    products = env['product.product'].create([
        {'name': f'Bench {sku}', 'default_code': sku, 'list_price': 9.5, 'is_storable': True,
         'taxes_id': [Command.set(tax.ids)]} for sku in ('BENCH-A', 'BENCH-B', 'BENCH-C')
    ])
    shipping = env['product.product'].create({'name': 'Port bench', 'type': 'service',
                                              'taxes_id': [Command.set(tax.ids)]})
    carrier = env['delivery.carrier'].create({'name': 'Bench carrier', 'product_id': shipping.id})
    company.write({'rakuten_default_carrier_id': carrier.id, 'rakuten_accept_policy': 'all'})
    return products, carrier


def direct(env, sales, products, carrier):
    """The baseline: the same orders (customer, delivery address, lines, shipping line), created and confirmed."""
    from odoo import Command  # noqa: PLC0415
    by_sku = {product.default_code: product for product in products}
    for sale in sales:
        person = sale['delivery']
        partner = env['res.partner'].create({'name': f"{person['firstname']} {person['lastname']}",
                                             'street': person['address1'], 'zip': person['zipcode'],
                                             'city': person['city'], 'country_id': env.ref('base.fr').id})
        order = env['sale.order'].create({
            'partner_id': partner.id,
            'order_line': [Command.create({'product_id': by_sku[sku].id, 'product_uom_qty': 1,
                                           'price_unit': float(price)}) for sku, price in sale['items']],
        })
        order.set_delivery_line(carrier, 4.9)
        order.action_confirm()


def main():
    args = parse_args(__doc__, sales=(1000, 'number of Rakuten sales'),
                      latency_ms=(0.0, 'network latency added to each Rakuten call (ms)'),
                      workers=(8, 'concurrent Rakuten calls (system parameter rakuten_connector.workers)'))
    with environment(args) as env, FakeRakutenProcess(latency_ms=args.latency_ms) as server:
        products, carrier = setup(env)
        wanted = [{'items': [[('BENCH-A', 'BENCH-B', 'BENCH-C')[index % 3], '9.50']] * (1 + index % 2),
                   'shipping_price': '4.90'} for index in range(args.sales)]
        sales = [dict(sale, items=units['items'])
                 for sale, units in zip(server.add_sales(wanted), wanted, strict=True)]
        env.company.write({'rakuten_enabled': True, 'rakuten_login': server.login,
                           'rakuten_token': server.token, 'rakuten_base_url': server.url})
        env['ir.config_parameter'].set_param('rakuten_connector.workers', args.workers)
        direct(env, sales[:WARM_UP], products, carrier)
        results = {}
        analyze(env)
        with timer(results, f'direct ORM create + confirm ({args.sales} orders)'):
            direct(env, sales, products, carrier)
        analyze(env)
        with timer(results, f'Rakuten import ({args.sales} sales, {args.latency_ms:g} ms/call)'):
            env['rakuten.sale']._rakuten_import(env.company)
        env.flush_all()
        imported = env['sale.order'].search_count([('rakuten_purchase_ref', '!=', False)])
        assert imported == args.sales, f'{imported} orders imported out of {args.sales}'
        calls = server.calls()
        print(f'HTTP calls to the fake server: {sum(calls.values())} {calls}; workers: {args.workers}')
        names = list(results)
        report(f'Order import, {args.sales} sales, latency {args.latency_ms:g} ms', results, names[0], names[1])


if __name__ == '__main__':
    main()
