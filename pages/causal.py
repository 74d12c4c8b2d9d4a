"""Legacy deep-link entry for /causal; the page itself is pages/sequences/causal.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
