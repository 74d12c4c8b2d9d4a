"""Legacy deep-link entry for /matrix; the page itself is pages/convolution/matrix.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
