"""Legacy deep-link entry for /conv2d; the page itself is pages/convolution/conv2d.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
