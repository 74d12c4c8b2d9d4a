"""Legacy deep-link entry for /padding; the page itself is pages/convolution/padding.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
