"""Legacy deep-link entry for /teacher; the page itself is pages/classroom/teacher.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
