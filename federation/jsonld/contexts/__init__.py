"""Bundled JSON-LD context documents, a package so they ship as package data."""
