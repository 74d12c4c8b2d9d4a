"""Legacy deep-link entry for /occlusion; the page itself is pages/images/occlusion.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
