"""Legacy deep-link entry for /conv3d; the page itself is pages/convolution/conv3d.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
