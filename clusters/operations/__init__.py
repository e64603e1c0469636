"""Operations: every change the console makes to a cluster, staged, previewed, applied."""
