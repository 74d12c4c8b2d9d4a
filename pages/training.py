"""Legacy deep-link entry for /training; the page itself is pages/convolution/training.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
