"""Web views, one module per concept; each parses input, calls a selector or service, renders."""
