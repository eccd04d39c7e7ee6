"""Tests in Debian's Chromium through Playwright: keyboard, focus, layout, accessibility and valid HTML."""
