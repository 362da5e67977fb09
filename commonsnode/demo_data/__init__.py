"""Demo listings for `commonsnode demo`: valid publiccode.yml examples, read as package data."""
