"""Retrieval: the liver-cancer literature index (FAISS + BM25 over sentence-transformers embeddings) and
the read side of the knowledge graph (entity linking, facts with provenance) for the agent.

Entry points: :class:`wenzhen.retrieval.search.LiteratureSearcher`,
:func:`wenzhen.retrieval.indexer.index_sources`, ``wenzhen.retrieval.kg`` and the LangChain retriever in
``wenzhen.retrieval.langchain_retriever``. Command line: ``wenzhen index``.
"""
