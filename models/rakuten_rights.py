"""Who may click what: Rakuten bookkeeping is written by the connector only (users read it). A button checks the
user's right to act on its records, then does its work with the connector's rights (``sudo``)."""
from odoo.exceptions import AccessError

SALESMAN = 'sales_team.group_sale_salesman'
SALES_MANAGER = 'sales_team.group_sale_manager'
SETTINGS = 'base.group_system'
WAREHOUSE = 'stock.group_stock_user'
BILLING = 'account.group_account_invoice'
ACCOUNTING_MANAGER = 'account.group_account_manager'


def check_user_may(records, group, operation='read'):
    """Raise an access error unless the user may ``operation`` ``records`` (record rules included: never another
    company's) and belongs to ``group``: the right to act that a button asks for before it uses the connector's."""
    records.check_access(operation)
    if records.env.su or records.env.user.has_group(group):
        return
    raise AccessError(records.env._(
        "You are not allowed to do this on %(records)s: it is for the group %(group)s.",
        records=records._description, group=records.env.ref(group).sudo().full_name,
    ))


def check_connector_fields(records, names, vals_list):
    """The connector's own fields on Odoo's records (Rakuten ids, despatch state) are written by the connector
    only: a user's write or create that sets one of ``names`` is refused, whatever the user's rights on the record
    (``readonly`` only hides them on screen)."""
    if records.env.su:
        return
    touched = sorted({name for vals in vals_list for name in vals if name in names})
    if touched:
        raise AccessError(records.env._(
            "Only the Rakuten connector writes these fields of %(records)s: %(fields)s.",
            records=records._description,
            fields=', '.join(records._fields[name]._description_string(records.env) for name in touched),
        ))
