"""OpenIPT: Interpersonal Psychotherapy as a programmed, time-limited, measured treatment."""

__version__ = "0.1.0"
