"""Amounts and percentages inside the sentences the connector writes, in the format of the environment's
language (the company's: the connector runs through ``company._rakuten_env``): "94,80 €" and "20 %" in French,
"€94.80"-like and "20" in English, as Odoo formats them."""
from odoo.tools.misc import format_amount, formatLang


def rakuten_amount(env, amount, currency=None):
    """``amount`` (float or Decimal) in ``currency`` (Rakuten's euros when none), in the env's language."""
    return format_amount(env, float(amount), currency or env.ref('base.EUR'))


def rakuten_percent(env, value):
    """``value`` as a number in the env's language: no decimals when it has none (20, not 20.0), else up to
    two (12,5)."""
    value = float(value)
    digits = next(digits for digits in (0, 1, 2) if round(value, digits) == round(value, 2))
    return formatLang(env, value, digits=digits)
