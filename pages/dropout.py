"""Legacy deep-link entry for /dropout; the page itself is pages/deep/dropout.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
