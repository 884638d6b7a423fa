"""Keep the Rakuten login and token out of logs and error texts.

The API takes both in the query string (``login=…&pwd=…``), so every URL that a library logs or puts in an
exception message carries them. ``redact`` masks them in any text; ``RedactingFilter`` does it for log
records of the loggers that see our URLs (ours and urllib3's).
"""
import logging
import re

MASK = '***'
_QUERY_SECRET = re.compile(r'(?i)\b(pwd|login|token)=([^&\s\'"]*)')
# Logger filters apply only to records created on that very logger, so the leaves are named.
_SECRET_LOGGERS = ('urllib3.connectionpool', 'urllib3.util.retry', 'requests')


def redact(text, secrets=()):
    """Return ``text`` with ``login=``/``pwd=`` query values and each literal secret masked."""
    text = _QUERY_SECRET.sub(lambda m: f'{m.group(1)}={MASK}', str(text))
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Logging filter that rewrites each record's message with the secrets masked."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to fix
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def install_filter(logger_names=_SECRET_LOGGERS):
    """Attach the filter to the loggers that may print our URLs (idempotent)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    # Records of any other logger (a caller logging an exception) are masked by the root handlers.
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
