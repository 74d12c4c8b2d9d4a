"""Legacy deep-link entry for /features; the page itself is pages/convolution/features.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
