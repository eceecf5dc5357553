"""The consultation agent: triage, KG-guided inquiry over several turns, grounded answers with citations.

Entry point: :class:`wenzhen.agent.consultant.Consultant` (``Consultant.from_config()``, ``start_session()``,
``reply()``, ``stream()``); the turn is a LangGraph graph (``wenzhen.agent.graph``) over LangChain tools
(``wenzhen.agent.tools``). Command line: ``wenzhen chat`` and ``wenzhen eval``.
"""
