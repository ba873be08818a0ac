"""Stacks and the Stage that composes them."""
