"""Legacy deep-link entry for /conv1d; the page itself is pages/convolution/conv1d.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
