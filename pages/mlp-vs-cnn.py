"""Legacy deep-link entry for /mlp-vs-cnn; the page itself is pages/deep/mlp_vs_cnn.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
