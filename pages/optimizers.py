"""Legacy deep-link entry for /optimizers; the page itself is pages/deep/optimizers.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
