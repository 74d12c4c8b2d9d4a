"""Legacy deep-link entry for /init; the page itself is pages/deep/init.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
