"""Legacy deep-link entry for /why; the page itself is pages/convolution/why.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
