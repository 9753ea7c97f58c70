"""Platform event subscribers (none yet: the platform publishes, domain apps subscribe)."""
