"""Fencing: fence devices, levels and history."""
