"""The engine under every change: the Change value, the executor (stage, simulate, push,
revert), Operation and Plan rows, the Celery task, the per-cluster lock, reconciliation,
and the generic plan/apply/operations API. Domain apps build Changes; this runs them."""
