"""The control plane under /__admin, the HTTP adapter of the state core (`mockserver/state/`): its routes
(`routes`), a control request turned into a Change (`requests`), why each journaled answer was given
(`explanations`) and the live console (`console`)."""
