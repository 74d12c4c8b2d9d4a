"""Legacy deep-link entry for /teacher; the page itself is pages/classroom/teacher.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
