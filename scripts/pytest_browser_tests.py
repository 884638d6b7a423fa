"""pytest plugin of the Odoo layer of scripts/run-tests: a browser test (HttpCase) that is skipped fails.

pytest-odoo skips every HttpCase without ``--odoo-http``, and Odoo skips browser tests when it finds no
Chromium: the tours would then silently stop testing anything.
"""
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.skipped and _is_browser_test(item):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = 'failed'
        report.longrepr = f'browser test skipped, it must run (--odoo-http, Chromium): {reason}'
    return report


def _is_browser_test(item):
    from odoo.tests import HttpCase  # noqa: PLC0415 - Odoo is set up by pytest-odoo once the run starts
    return isinstance(getattr(item, 'instance', None), HttpCase)
