"""Tests of the guidance Markdown package: parsing, validation, rendering, trees of files."""
