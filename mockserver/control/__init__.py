"""The control plane under /__admin: its HTTP routes (`routes`), request bodies read field by field
(`payload`), a control request turned into a Change (`requests`), a Change applied to a State
(`changes`), the request journal (`journal`) and injected faults, decided and carried out (`faults`)."""
