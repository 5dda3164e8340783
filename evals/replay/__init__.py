"""Replays scripted dialogues (the format in evals/README.md) against the agent and scores them."""
