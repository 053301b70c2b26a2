"""`contracts proxy`: a transparent proxy that judges live exchanges and records them."""
