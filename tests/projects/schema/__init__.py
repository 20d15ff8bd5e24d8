"""A URLconf with the schema routes mounted twice, as a project mounts them."""
