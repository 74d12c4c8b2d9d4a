"""Legacy deep-link entry for /featvis; the page itself is pages/images/featvis.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
