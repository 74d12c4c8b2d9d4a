"""Legacy deep-link entry for /matrix; the page itself is pages/convolution/matrix.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
