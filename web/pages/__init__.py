"""Server-rendered HTML pages that work without JavaScript."""
