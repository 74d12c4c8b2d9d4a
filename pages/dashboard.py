"""Legacy deep-link entry for /dashboard; the page itself is pages/classroom/dashboard.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
