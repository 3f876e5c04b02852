"""REST routes, one router per resource; each route parses, calls a manager or the engine, replies."""
