from . import models
from . import wizard
from .rakuten_connector import install_log_redaction

# Mask the Rakuten login and token in every log line of the process (urllib3 logs the URLs). At import
# rather than in a post_load hook: Odoo skips that hook when the package was imported first (by pytest).
install_log_redaction()
