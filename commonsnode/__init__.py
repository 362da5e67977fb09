"""commonsnode: the marketplace of a federated Digital Commons for Open Government."""

__version__ = "0.1.0"
