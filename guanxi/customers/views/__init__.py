"""Customer pages: each view parses input, calls one selector or service, renders."""
