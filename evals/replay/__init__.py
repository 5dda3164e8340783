"""Replays scripted dialogues (shared/DIALOGUES.md format) against the agent and scores them."""
