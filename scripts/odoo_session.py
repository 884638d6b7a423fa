"""Open an Odoo environment on a database from a plain script (demo, benchmarks).

Odoo itself must already be installed (see README.rst); this only uses it as a library.
"""
import contextlib

import odoo
from odoo.tools import config


@contextlib.contextmanager
def environment(db, addons_path, commit=False):
    """A superuser environment; its work is committed when ``commit``, else rolled back."""
    config.parse_config(['-d', db, f'--addons-path={addons_path}', '--log-level=warn'])
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.api.SUPERUSER_ID, {})
        try:
            yield env
        except BaseException:
            cr.rollback()
            raise
        if commit:
            cr.commit()
        else:
            cr.rollback()
