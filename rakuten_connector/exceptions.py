"""Errors raised by the Rakuten client. Their text never holds the login or the token."""


class RakutenError(Exception):
    """Base error. ``code`` is Rakuten's error code (or ours), ``details`` its detail lines."""

    retryable = False

    def __init__(self, message, code=None, details=(), action=None):
        self.message = message
        self.code = code
        self.details = tuple(details)
        self.action = action
        super().__init__(self.__str__())

    def __str__(self):
        text = self.message
        if self.code:
            text = f'{self.code}: {text}'
        if self.details:
            text = f'{text} ({"; ".join(self.details)})'
        if self.action:
            text = f'[{self.action}] {text}'
        return text


class AuthError(RakutenError):
    """Unknown login or token (``InvalidUserConnection``): the seller must fix the credentials."""


class QuotaError(RakutenError):
    """Hourly request quota exceeded: stop calling until the top of the next hour."""

    retryable = True


class RightsError(RakutenError):
    """The account lacks the rights for this action (not PRO, export not enabled…)."""


class ParameterError(RakutenError):
    """Rakuten rejected the request's parameters (``ParameterError`` or a business rule)."""


class TransientError(RakutenError):
    """Network failure, timeout, 5xx or "Service unavailable": try again later."""

    retryable = True


class ResponseError(RakutenError):
    """The answer could not be understood (malformed, truncated, hostile or unexpected XML)."""

    retryable = True


# Errors after which no further call of a run can succeed (credentials, quota, rights): a run stops on them.
RUN_STOPPERS = (AuthError, QuotaError, RightsError)
