"""Legacy deep-link entry for /activations; the page itself is pages/deep/activations.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
