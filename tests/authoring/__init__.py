"""Authoring: import conflicts, the one publish path, the editor, review, history, conflicts."""
