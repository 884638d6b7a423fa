"""Despatch hook: validating N deliveries of Rakuten orders (the hook assigns the units and triggers the
despatch job) vs validating N deliveries of the same orders without Rakuten data (the hook has nothing to
do), in the same run: one delivery of each kind in turn, so that both see the same database. Nothing is sent
to Rakuten during validation, by design.

    benchmarks/run despatch_hook.py --deliveries 300
"""
import time

from common import FakeRakutenProcess, analyze, environment, parse_args, report


def main():
    args = parse_args(__doc__, deliveries=(300, 'number of deliveries of each kind'))
    from order_import import setup  # noqa: PLC0415
    with environment(args) as env, FakeRakutenProcess() as server:
        products, carrier = setup(env)
        warehouse = env['stock.warehouse'].search([('company_id', '=', env.company.id)], limit=1)
        for product in products:
            env['stock.quant']._update_available_quantity(product, warehouse.lot_stock_id, 10 * args.deliveries)
        server.add_sales([{'items': [['BENCH-A', '9.50'], ['BENCH-B', '9.50']], 'shipping_price': '4.90'}
                          for _index in range(args.deliveries)])
        env.company.write({'rakuten_enabled': True, 'rakuten_login': server.login,
                           'rakuten_token': server.token, 'rakuten_base_url': server.url})
        env['rakuten.sale']._rakuten_import(env.company)
        rakuten_orders = env['sale.order'].search([('rakuten_purchase_ref', '!=', False)])
        plain_orders = env['sale.order']
        for order in rakuten_orders:
            plain_orders |= order.copy({'rakuten_purchase_ref': False, 'rakuten_sale_id': False})
        plain_orders.action_confirm()
        analyze(env)

        # One delivery of each kind in turn (who goes first alternates), each validation flushed as its own
        # transaction would be (pre-commit hooks included): both kinds see the same tables, the same bloat of
        # the quants they all take from.
        results = dict.fromkeys((f'validate {args.deliveries} plain deliveries',
                                 f'validate {args.deliveries} Rakuten deliveries'), 0.0)
        for index, pair in enumerate(zip(plain_orders.picking_ids, rakuten_orders.picking_ids, strict=True)):
            turns = list(zip(results, pair, strict=True))
            for name, picking in turns if index % 2 else reversed(turns):
                for move in picking.move_ids:
                    move.quantity = move.product_uom_qty
                picking.carrier_tracking_ref = f'6A{picking.id}'
                env.cr.flush()
                started = time.perf_counter()
                picking.with_context(skip_backorder=True, skip_sms=True).button_validate()
                env.cr.flush()
                results[name] += time.perf_counter() - started
        marked = env['stock.picking'].search_count([('rakuten_despatch_state', '=', 'to_send')])
        assert marked == args.deliveries, f'{marked} deliveries marked to send'
        names = list(results)
        report(f'Despatch hook on validation, {args.deliveries} deliveries', results, names[0], names[1])


if __name__ == '__main__':
    main()
