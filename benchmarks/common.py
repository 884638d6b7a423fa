"""Shared by the benchmark scripts: open an Odoo registry on a database that has the addon installed.

Benchmarks print ratios against a baseline measured in the same run (never absolute thresholds), and
never commit: every run rolls its data back.
"""
import argparse
import contextlib
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'scripts'))
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
