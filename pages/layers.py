"""Legacy deep-link entry for /layers; the page itself is pages/images/layers.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
