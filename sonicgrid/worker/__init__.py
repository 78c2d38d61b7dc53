"""A warm worker for the CLI: `sonicgrid worker start` keeps SonicGrid's heavy imports loaded, and every
`sonicgrid make` (remix, eval, library, trace) is run by a fresh fork of it instead of a cold interpreter."""
