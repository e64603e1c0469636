"""Resources: primitives, groups, clones, VMs and DRBD (mirrored from the CIB)."""
