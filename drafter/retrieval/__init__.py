"""Finding exemplar passages: hybrid BM25 + dense search with fusion and diversity (search), the
genre thesaurus and corpus-derived related words."""
