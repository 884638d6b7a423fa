"""Rakuten's codes in words (not a model): every code a user can see (claim type and state, item status,
payment, to-do, actions offered) has a label, translated like any term of the module; a code Rakuten has not
documented is shown as "Other (CODE)", never alone."""


def _labels(env, kind):
    if kind == 'claim_type':
        return {'DAMAGED': env._("Damaged item"), 'NOT_RECEIVED': env._("Item not received")}
    if kind == 'claim_state':
        return {'NEW': env._("New"), 'CLOSED': env._("Closed"), 'RESOLVED': env._("Resolved"),
                'CANCELLED': env._("Cancelled"), 'REFUSED': env._("Refused")}
    if kind == 'item_status':
        return {
            'TO_CONFIRM': env._("To accept"), 'REQUESTED': env._("To accept"),
            'REMINDED': env._("To accept (reminded)"),
            'ACCEPTED': env._("Accepted"), 'COMMITTED': env._("Accepted"), 'PENDING': env._("Pending"),
            'ON_HOLD': env._("Claim open"), 'PENDING_CLAIM': env._("Claim open"), 'CLAIM': env._("Claim open"),
            'REFUSED': env._("Refused"), 'CANCELLED': env._("Cancelled"), 'CLOSED': env._("Closed"),
            'SHIPPED': env._("Shipped"),
        }
    if kind == 'payment_status':
        return {'INCOMING': env._("Payment to come"), 'FORTHCOMING': env._("Payment to come")}
    if kind == 'todo':
        return {'CLAIM': env._("Claim"), 'UNREAD_MESSAGE_FROM_BUYER': env._("Unread message from the buyer"),
                'UNREAD_MESSAGE_FROM_CUSTOMER_SERVICE': env._("Unread mail from Rakuten customer service")}
    if kind == 'action':
        return {'CONTACTUSERABOUTITEM': env._("Write to the buyer"),
                'CONTACTUSABOUTITEM': env._("Write to Rakuten customer service"),
                'CANCELITEM': env._("Cancel the sale of this item")}
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
