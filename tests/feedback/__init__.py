"""Tests of the feedback loop: notes, ratings, the admin inbox, step health, notifications."""
