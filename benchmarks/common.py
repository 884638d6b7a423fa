"""Shared by the benchmark scripts: open an Odoo registry on a database that has the addon installed.

Benchmarks print ratios against a baseline measured in the same run (never absolute thresholds), and
never commit: every run rolls its data back.
"""
import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, 'scripts'))
from odoo_session import environment as _environment  # noqa: E402


def parse_args(description, **defaults):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--db', required=True, help='database with rakuten_connector installed')
    parser.add_argument('--addons-path', required=True)
    for name, (default, help_text) in defaults.items():
        parser.add_argument(f'--{name.replace("_", "-")}', type=type(default), default=default, help=help_text)
    return parser.parse_args()


def environment(args):
    """A superuser environment whose work is rolled back at the end."""
    return _environment(args.db, args.addons_path, commit=False)


def analyze(env):
    """Refresh PostgreSQL's statistics, as autovacuum does on a live database. A benchmark's rows are never
    committed, so autovacuum never sees them: without this, the planner keeps the statistics of the empty
    tables and picks plans whose cost grows with every row the run adds (e.g. Odoo's search for an open
    delivery to join, at order confirmation)."""
    env.flush_all()
    env.cr.execute('ANALYZE')


@contextlib.contextmanager
def timer(results, name):
    started = time.perf_counter()
    yield
    results[name] = time.perf_counter() - started


def report(title, results, baseline, measured):
    print(f'\n{title}')
    for name, seconds in results.items():
        print(f'  {name:<45} {seconds:9.3f} s')
    print(f'  ratio {measured} / {baseline}: {results[measured] / results[baseline]:.4f}'
          f'  ({results[baseline] / results[measured]:.1f}x faster)' if results[measured] < results[baseline]
          else f'  ratio {measured} / {baseline}: {results[measured] / results[baseline]:.4f}')


class FakeRakutenProcess:
    """The fake Rakuten service in a process of its own (as the real one is), driven by its control API.

    ``latency_ms`` is added to every web service call, like a real network's round trip.
    """

    def __init__(self, latency_ms=0, page_size=100):
        with socket.socket() as probe:
            probe.bind(('127.0.0.1', 0))
            port = probe.getsockname()[1]
        self.url = f'http://127.0.0.1:{port}'
        self.login, self.token = 'boutique-bench', 'bench-token'
        self._process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            [sys.executable, '-m', 'rakuten_connector.fake_server', '--port', str(port), '--login', self.login,
             '--token', self.token, '--page-size', str(page_size), '--latency-ms', str(latency_ms)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for _attempt in range(100):
            try:
                self.control('state')
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError('the fake Rakuten service did not start')

    def control(self, command, **payload):
        request = urllib.request.Request(f'{self.url}/_fake/{command}', data=json.dumps(payload).encode(),
                                         headers={'Content-Type': 'application/json'})
        with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - loopback only
            return json.load(answer)

    def add_sales(self, sales):
        """``sales``: dicts with ``items`` ([sku, price] per unit) and ``shipping_price``."""
        return self.control('sales', sales=sales)['sales']

    def calls(self):
        return self.control('state')['calls']

    def stop(self):
        self._process.terminate()
        self._process.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
