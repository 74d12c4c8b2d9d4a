"""Legacy deep-link entry for /variants; the page itself is pages/convolution/variants.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
