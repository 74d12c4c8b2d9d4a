"""Legacy deep-link entry for /backward; the page itself is pages/convolution/backward.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
