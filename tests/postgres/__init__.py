"""The same behaviour on PostgreSQL, on a throwaway server started for the test session."""
