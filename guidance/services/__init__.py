"""Services: the operations views and CLI commands call. They take explicit arguments."""
