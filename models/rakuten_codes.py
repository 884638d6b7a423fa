"""Rakuten's codes in words (not a model): every code a user can see (claim type and state, item status,
payment, to-do, actions offered) has a label, translated like any term of the module; a code Rakuten has not
documented is shown as "Other (CODE)", never alone."""


def _labels(env, kind):
    _ = env._
    if kind == 'claim_type':
        return {'DAMAGED': _("Damaged item"), 'NOT_RECEIVED': _("Item not received")}
    if kind == 'claim_state':
        return {'NEW': _("New"), 'CLOSED': _("Closed"), 'RESOLVED': _("Resolved"), 'CANCELLED': _("Cancelled"),
                'REFUSED': _("Refused")}
    if kind == 'item_status':
        return {
            'TO_CONFIRM': _("To accept"), 'REQUESTED': _("To accept"), 'REMINDED': _("To accept (reminded)"),
            'ACCEPTED': _("Accepted"), 'COMMITTED': _("Accepted"), 'PENDING': _("Pending"),
            'ON_HOLD': _("Claim open"), 'PENDING_CLAIM': _("Claim open"), 'CLAIM': _("Claim open"),
            'REFUSED': _("Refused"), 'CANCELLED': _("Cancelled"), 'CLOSED': _("Closed"), 'SHIPPED': _("Shipped"),
        }
    if kind == 'payment_status':
        return {'INCOMING': _("Payment to come"), 'FORTHCOMING': _("Payment to come")}
    if kind == 'todo':
        return {'CLAIM': _("Claim"), 'UNREAD_MESSAGE_FROM_BUYER': _("Unread message from the buyer"),
                'UNREAD_MESSAGE_FROM_CUSTOMER_SERVICE': _("Unread mail from Rakuten customer service")}
    if kind == 'action':
        return {'CONTACTUSERABOUTITEM': _("Write to the buyer"),
                'CONTACTUSABOUTITEM': _("Write to Rakuten customer service"),
                'CANCELITEM': _("Cancel the sale of this item")}
    raise ValueError(kind)


def code_label(env, kind, code, default=None):
    """The label of Rakuten's ``code`` of ``kind`` in ``env``'s language; ``default``, else "Other (CODE)",
    when unknown."""
    code = (code or '').strip()
    if not code:
        return False
    return _labels(env, kind).get(code.upper()) or default or env._("Other (%s)", code)


def codes_label(env, kind, codes):
    """Labels of several codes (a comma-separated text or a list), joined by commas."""
    if isinstance(codes, str):
        codes = codes.split(',')
    return ', '.join(filter(None, (code_label(env, kind, code) for code in codes))) or False
