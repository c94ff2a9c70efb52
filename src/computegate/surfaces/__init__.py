"""What users touch: the CLI, the HTTP API and web page, batch files, charts, Dask scale-out.

Everything here sits on the Engine and the store; nothing below imports from here."""
