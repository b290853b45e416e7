"""The sweep: settles or removes what the event path left behind (a scheduled Lambda in AWS, a thread
of `make dev` locally)."""
