"""A separate Odoo process running one scheduled job, as an Odoo worker would (commits included).

    python3 worker.py --db DB --addons-path PATH import|despatch|stock|aftersales|cancel|payout
    python3 worker.py --db DB --addons-path PATH import|despatch|stock|aftersales|cancel|reply
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
from odoo_session import environment  # noqa: E402

CRONS = {
    'import': 'rakuten_connector.ir_cron_rakuten_import',
    'despatch': 'rakuten_connector.ir_cron_rakuten_despatch',
    'stock': 'rakuten_connector.ir_cron_rakuten_stock',
    'aftersales': 'rakuten_connector.ir_cron_rakuten_aftersales',
    'cancel': 'rakuten_connector.ir_cron_rakuten_cancel',
    'payout': 'rakuten_connector.ir_cron_rakuten_payout',
    'reply': 'rakuten_connector.ir_cron_rakuten_reply',
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--db', required=True)
    parser.add_argument('--addons-path', required=True)
    parser.add_argument('job', choices=sorted(CRONS))
    args = parser.parse_args()
    with environment(args.db, args.addons_path, commit=True) as env:
        env.ref(CRONS[args.job]).method_direct_trigger()
    print(f'worker {args.job}: done', flush=True)


if __name__ == '__main__':
    main()
