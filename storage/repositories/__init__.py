"""Repositories: one module per aggregate, each implementing a port from commonsnode.ports."""
