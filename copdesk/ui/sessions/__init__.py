"""The Sessions tab: plan sessions, run them in the room, and log what happened."""
