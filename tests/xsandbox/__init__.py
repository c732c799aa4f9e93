"""Tests for the X sandbox (advocacy.xsandbox): real tweepy over real HTTP, no database."""
