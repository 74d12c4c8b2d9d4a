"""Legacy deep-link entry for /mlp-vs-cnn; the page itself is pages/deep/mlp_vs_cnn.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
