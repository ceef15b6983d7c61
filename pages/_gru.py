"""Not a page: /gru as a fresh server's first request runs this, and this runs app.py.

See ui/deeplink.py.
"""

from ui.deeplink import run_app

run_app()
