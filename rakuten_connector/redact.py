"""Keep the Rakuten login and token out of logs and error texts.

The API takes both in the query string (``login=…&pwd=…``), so every URL that a library logs or puts in an
exception message carries them. ``redact`` masks them in any text. ``install_log_redaction`` masks them in
every log record of the process; the library never calls it (importing it changes nothing in logging):
the application does, once, where it starts (the Odoo addon, when Odoo imports it).
"""
import functools
import logging
import re

MASK = '***'
_QUERY_SECRET = re.compile(r'(?i)\b(pwd|login|token)=([^&\s\'"]*)')
_TRACEBACKS = logging.Formatter()


def redact(text, secrets=()):
    """Return ``text`` with ``login=``/``pwd=`` query values and each literal secret masked."""
    text = _QUERY_SECRET.sub(lambda m: f'{m.group(1)}={MASK}', str(text))
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, MASK)
    return text


def redact_record(record):
    """Mask the secrets of a log record's message and traceback, in place; return the record."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken record is not ours to fix; logging reports it
        return record
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        # Formatters reuse ``exc_text``: the traceback is written once, masked.
        traceback = _TRACEBACKS.formatException(record.exc_info)
        cleaned = redact(traceback)
        if cleaned != traceback:
            record.exc_text = cleaned
    return record


def install_log_redaction():
    """Mask the secrets of every log record created from now on, by any logger (idempotent).

    Done where loggers make their records (``Logger.makeRecord``), not by a filter: a logger's filter does
    not see the records its children propagate, and a handler's filter misses the handlers added later
    (pytest's, a log file opened afterwards…). Not through the log record factory either: Odoo sets its own
    factory when it sets logging up, and would take a wrapped one for "logging not set up yet".
    """
    make_record = logging.Logger.makeRecord
    if getattr(make_record, 'redacting', False):
        return

    @functools.wraps(make_record)
    def redacting_make_record(self, *args, **kwargs):
        return redact_record(make_record(self, *args, **kwargs))

    redacting_make_record.redacting = True
    logging.Logger.makeRecord = redacting_make_record
