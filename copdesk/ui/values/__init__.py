"""The Value tab: the value log, stories, and the value matrix."""
