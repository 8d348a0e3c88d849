"""The Fitness tab: score the community's health with evidence, and follow it over time."""
