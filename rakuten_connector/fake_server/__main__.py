"""``python -m rakuten_connector.fake_server``: run the fake Rakuten service in the foreground."""
import argparse
import contextlib
import logging

from . import FakeRakutenServer, seed_shop


def main(argv=None):
    parser = argparse.ArgumentParser(description='Fake Rakuten France seller web services on 127.0.0.1.')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8899)
    parser.add_argument('--login', default='boutique-demo', help='shop name (login) accepted')
    parser.add_argument('--token', default='test-token', help='API token accepted')
    parser.add_argument('--seed', type=int, default=0, metavar='N', help='create N realistic new sales')
    parser.add_argument('--page-size', type=int, default=10)
    parser.add_argument('--latency-ms', type=float, default=0, metavar='MS',
                        help='delay added to every web service call, as over a real network')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(asctime)s %(levelname)s %(message)s')
    server = FakeRakutenServer(args.host, args.port)
    server.state.page_size = args.page_size
    server.state.latency = args.latency_ms / 1000
    shop = server.state.add_shop(args.login, args.token, server.shop.seller_id)
    server.state.default_login = args.login
    if args.seed:
        seed_shop(shop, sales=args.seed)
    logging.info('Fake Rakuten service on %s (login %s), %d sales, %d adverts', server.url, args.login,
                 len(shop.sales), len(shop.adverts))
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C stops it
        server.serve_forever()


if __name__ == '__main__':
    main()
