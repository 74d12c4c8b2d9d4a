"""Legacy deep-link entry for /audio; the page itself is pages/sequences/audio.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
