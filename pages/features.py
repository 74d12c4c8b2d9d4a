"""Legacy deep-link entry for /features; the page itself is pages/convolution/features.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
