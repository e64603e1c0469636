"""The advisor: rules over the CIB and the live status that find what will hurt before
it does (docs/api.md "Advice"). Django-free: the clusters app reads what the rules need
from a node (clusters/advice.py) and serves the findings."""
