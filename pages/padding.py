"""Legacy deep-link entry for /padding; the page itself is pages/convolution/padding.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
