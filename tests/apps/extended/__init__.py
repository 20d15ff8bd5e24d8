"""A project that uses every documented extension point of the library."""
