"""The consultation agent: triage, KG-guided inquiry over several turns, grounded answers with citations.

Entry point: :class:`agent.consultant.Consultant` (``Consultant.from_config()``, ``start_session()``,
``reply()``, ``stream()``); the turn is a LangGraph graph (``agent.graph``) over LangChain tools
(``agent.tools``). Command line: ``wenzhen chat`` and ``wenzhen eval``.
"""
