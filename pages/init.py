"""Legacy deep-link entry for /init; the page itself is pages/deep/init.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
