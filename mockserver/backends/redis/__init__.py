"""The fleet's backend on Redis: the store made ready at start (`setup`), the state, control changes,
journal and faults (`backend`), public requests admitted in groups (`admission`), the Lua (`scripts`)."""
