"""Rakuten France (ex-PriceMinister) seller web services: client, parsing, rules. Never imports Odoo."""
from . import const
from .client import RakutenClient
from .exceptions import (
    RUN_STOPPERS, AuthError, ParameterError, QuotaError, RakutenError, ResponseError, RightsError,
    TransientError,
)
from .redact import install_log_redaction, redact

__all__ = (
    'RUN_STOPPERS', 'AuthError', 'ParameterError', 'QuotaError', 'RakutenClient', 'RakutenError', 'ResponseError',
    'RightsError', 'TransientError', 'const', 'install_log_redaction', 'redact',
)
