"""Legacy deep-link entry for /training; the page itself is pages/convolution/training.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
