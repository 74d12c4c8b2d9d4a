"""Legacy deep-link entry for /style; the page itself is pages/images/style.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
