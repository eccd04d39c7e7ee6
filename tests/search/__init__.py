"""Tests of search: ranking, the index and its recovery, the pages, the API and the CLI."""
