"""SonicGrid Studio: the local web app (chat, players, stem mixer, live verdicts, library)."""
