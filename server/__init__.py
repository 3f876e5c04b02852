"""Layerlab's server: REST routes, live training sessions over WebSockets, the static frontend.

Engine code never runs on the event loop: REST routes that touch the engine are plain `def`
(FastAPI runs them in its thread pool) and each live session trains on its own worker thread.
"""
