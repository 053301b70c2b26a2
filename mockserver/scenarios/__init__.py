"""Scenarios: timed events played on the mock's clock (document.py reads them, player.py plays them)."""
