"""Legacy deep-link entry for /dna; the page itself is pages/sequences/dna.py (see ui/deep_links.py)."""
from ui.deep_links import hand_over_to_app

hand_over_to_app()
