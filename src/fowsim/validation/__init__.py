"""Validation suite: checks of the model against published results and data."""
