"""Agent trace inspection: list, show (a Rich tree), diff, export, and a self-contained HTML report."""
