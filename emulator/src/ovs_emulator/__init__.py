"""Emulated Open vStorage distribution (framework, ASD manager, alba)."""
