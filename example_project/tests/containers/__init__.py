"""Tests of the container path: the image, its build and the compose stack, under podman."""
