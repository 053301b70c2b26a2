"""Renderers of run results: the console and JUnit XML."""
