"""Legacy deep-link entry for /find-faces; the page itself is pages/images/find_faces.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
