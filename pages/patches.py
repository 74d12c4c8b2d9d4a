"""Legacy deep-link entry for /patches; the page itself is pages/images/patches.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
