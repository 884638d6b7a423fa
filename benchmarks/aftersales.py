"""After-sales reads: N items in Rakuten's to-do list (one new buyer message each, on imported orders), read by
the after-sales job one call at a time (``rakuten_connector.workers`` = 1) vs ``--workers`` calls at once, in
the same run, the fake server in its own process with a network latency per call. Both runs store and post N
new messages; the ratio is concurrent / serial.

    benchmarks/run aftersales.py --items 200 --latency-ms 150
"""
from common import FakeRakutenProcess, environment, parse_args, report, timer
from order_import import setup


def add_messages(server, itemids, round_):
    """One new buyer message per item: each item is in the to-do list again."""
    for itemid in itemids:
        server.control('message', itemid=itemid, content=f'Question {round_} sur {itemid}')


def main():
    args = parse_args(__doc__, items=(200, 'number of items with a new message'),
                      latency_ms=(150.0, 'network latency added to each Rakuten call (ms)'),
                      workers=(8, 'concurrent Rakuten calls of the measured run (rakuten_connector.workers)'))
    with environment(args) as env, FakeRakutenProcess() as server:
        setup(env)
        server.add_sales([{'items': [['BENCH-A', '9.50']], 'shipping_price': '4.90'}] * args.items)
        env.company.write({'rakuten_enabled': True, 'rakuten_login': server.login,
                           'rakuten_token': server.token, 'rakuten_base_url': server.url})
        env['rakuten.sale']._rakuten_import(env.company)  # the orders the messages land on (not measured)
        itemids = env['rakuten.sale.item'].search([('company_id', '=', env.company.id)]).mapped('itemid')
        assert len(itemids) == args.items, f'{len(itemids)} items imported out of {args.items}'
        server.control('config', latency_ms=args.latency_ms)
        results = {}
        for round_, workers in enumerate((1, args.workers)):
            add_messages(server, itemids, round_)
            env['ir.config_parameter'].set_param('rakuten_connector.workers', workers)
            env.flush_all()
            with timer(results, f'after-sales run, {workers} worker(s) ({args.items} items)'):
                env['rakuten.aftersale']._rakuten_aftersales_run(env.company)
            env.flush_all()
            stored = env['rakuten.message'].search_count([('body', '=like', f'Question {round_} sur %'),
                                                          ('posted', '=', True)])
            assert stored == args.items, f'{stored} messages posted out of {args.items}'
        calls = server.calls()
        print(f"HTTP calls to the fake server: getiteminfos {calls.get('getiteminfos')}, "
              f"getitemtodolist {calls.get('getitemtodolist')}; latency {args.latency_ms:g} ms")
        names = list(results)
        report(f'After-sales reads, {args.items} items, latency {args.latency_ms:g} ms', results, names[0], names[1])


if __name__ == '__main__':
    main()
