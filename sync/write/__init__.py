"""Turn computed tables into a backend-neutral write plan."""
