"""Legacy deep-link entry for /audio; the page itself is pages/sequences/audio.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
