"""Legacy deep-link entry for /variants; the page itself is pages/convolution/variants.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
