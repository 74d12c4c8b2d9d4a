"""Legacy deep-link entry for /pooling; the page itself is pages/convolution/pooling.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
