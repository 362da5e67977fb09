"""Converters between domain records and ActivityStreams documents, named by direction."""
