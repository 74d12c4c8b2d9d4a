"""Legacy deep-link entry for /dashboard; the page itself is pages/classroom/dashboard.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
