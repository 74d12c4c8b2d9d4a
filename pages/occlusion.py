"""Legacy deep-link entry for /occlusion; the page itself is pages/images/occlusion.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
