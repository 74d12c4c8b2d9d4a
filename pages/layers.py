"""Legacy deep-link entry for /layers; the page itself is pages/images/layers.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
