"""Legacy deep-link entry for /dna; the page itself is pages/sequences/dna.py (see ui/legacy.py)."""
from ui.legacy import hand_over_to_app

hand_over_to_app()
