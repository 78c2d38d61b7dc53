"""The clip library: Chroma records + content-addressed audio files."""
