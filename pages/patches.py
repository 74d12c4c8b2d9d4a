"""Legacy deep-link entry for /patches; the page itself is pages/images/patches.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
