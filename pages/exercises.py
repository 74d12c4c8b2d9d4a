"""Legacy deep-link entry for /exercises; the page itself is pages/classroom/exercises.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
