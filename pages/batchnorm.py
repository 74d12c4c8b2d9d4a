"""Legacy deep-link entry for /batchnorm; the page itself is pages/deep/batchnorm.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
