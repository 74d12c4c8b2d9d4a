"""Legacy deep-link entry for /optimizers; the page itself is pages/deep/optimizers.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
