"""Clusters: Cluster rows, discovery, events, status."""
