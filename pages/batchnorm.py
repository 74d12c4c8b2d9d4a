"""Legacy deep-link entry for /batchnorm; the page itself is pages/deep/batchnorm.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
