"""Legacy deep-link entry for /style; the page itself is pages/images/style.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
