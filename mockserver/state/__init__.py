"""The state core, below the planes: a Change and its pure transition (`changes`), the fault decision and
its effect (`faults`), the journal record and its storage codec (`journal`). `backends/` imports it
downward; `control/` (the HTTP adapter) and `scenarios/` make Changes; nothing here imports either."""
