"""Chinese text similarity: plain Python, no Django imports."""
