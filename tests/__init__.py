"""The test suite: pytest, with the fixtures in conftest.py."""
