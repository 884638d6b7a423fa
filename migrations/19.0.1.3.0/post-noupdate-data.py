"""Upgrade to 19.0.1.3.0: the records of the module's ``noupdate`` data files are marked ``noupdate`` in
ir.model.data, as a new installation marks them.

``data/ir_cron_data.xml`` became ``noupdate`` in 19.0.1.1.0. On a database installed before, Odoo's update skips
its existing records (an administrator's interval or deactivation is kept while the file stays ``noupdate``) but
never changes their external ids, which stay ``noupdate = False``: Odoo then treats them as updatable data (a
translation update with overwrite replaces the names an administrator gave them, and removing one from the files
would delete the administrator's record). Every record of a ``noupdate`` data file of the manifest, and the parent
record Odoo made for it (the server action of a scheduled action), is marked here."""
from lxml import etree
from odoo import SUPERUSER_ID, api
from odoo.modules.module import get_manifest
from odoo.tools.misc import file_open

MODULE = 'rakuten_connector'


def _noupdate_records(path):
    """[(xml id, model)] of the records inside ``noupdate`` blocks of an XML data file."""
    with file_open(f'{MODULE}/{path}', 'rb') as file:
        root = etree.parse(file).getroot()
    found = []
    for record in root.iter('record'):
        blocks = [node for node in record.iterancestors() if node.tag in ('odoo', 'openerp', 'data')]
        noupdate = next((node.get('noupdate') for node in blocks if node.get('noupdate') is not None), '0')
        if noupdate in ('1', 'True', 'true') and record.get('id'):
            found.append((record.get('id'), record.get('model')))
    return found


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    names = set()
    for path in get_manifest(MODULE)['data']:
        if not path.endswith('.xml'):
            continue
        for xml_id, model in _noupdate_records(path):
            module, _dot, name = xml_id.rpartition('.')
            if module not in ('', MODULE):
                continue
            names.add(name)
            for parent in (env[model]._inherits if model in env else {}):
                names.add(f"{name}_{parent.replace('.', '_')}")
    if names:
        cr.execute("UPDATE ir_model_data SET noupdate = TRUE WHERE module = %s AND name IN %s AND noupdate IS NOT TRUE",
                   (MODULE, tuple(sorted(names))))
