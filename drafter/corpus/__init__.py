"""Past summaries in: parse and clean (documents), chunk (chunking, tokens), embed (embedding,
embedcache) and index them (index: Chroma + the lexical side)."""
