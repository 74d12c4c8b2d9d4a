"""Legacy deep-link entry for /causal; the page itself is pages/sequences/causal.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
