"""A project served by uvicorn in the tests of the error envelope, in any profile."""
