"""The classroom: graded exercises and worksheets, and exports for slides and notebooks (GIFs, snippets, CSV)."""
