"""Legacy deep-link entry for /featvis; the page itself is pages/images/featvis.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
