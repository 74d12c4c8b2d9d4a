"""Legacy deep-link entry for /pooling; the page itself is pages/convolution/pooling.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
