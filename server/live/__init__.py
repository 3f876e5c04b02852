"""Live sessions: one per browser tab, trained on a worker thread, streamed over /ws."""
