"""The write and escape attempts the read-only paths are tried with (counted in the closing notes).

- ``QUERY_WRITES``: Cypher a user might give ``kg query``: writes, schema changes and escapes around the
  client's check (a literal or backticked name right before a write keyword, comments, case, line breaks);
- ``SERVER_WRITES``: writes that would change the test graph if allowed, sent straight to the server as the
  read-only user (past the client's check) to show the server refuses them itself;
- ``INJECTIONS``: patient text shaped like Cypher, for the retriever, the agent's tools and consultations.
"""

from __future__ import annotations

QUERY_WRITES = [
    "CREATE (n:Disease {name: '假病'})",
    "MERGE (n:Disease {name: '假病'}) RETURN n",
    "MATCH (d:Disease) SET d.hacked = true",
    "MATCH (d:Disease) REMOVE d.name",
    "MATCH (n) DETACH DELETE n",
    "MATCH (d:Disease {name: '肝硬化'}) CREATE (d)-[:HAS_SYMPTOM]->(:Symptom {name: '假症状'})",
    "CREATE CONSTRAINT fake IF NOT EXISTS FOR (n:Fake) REQUIRE n.name IS UNIQUE",
    "DROP CONSTRAINT disease_name_unique",
    "MATCH (d:Disease) WITH d LIMIT 1 CALL { WITH d SET d.y = 2 } RETURN 1",
    "MATCH (d:Disease) // comment\n foreach (x IN [1] | SET d.z = x)",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
    "MATCH (d:Disease) WHERE d.name = $`p` CREATE (:X {x: 1}) RETURN d.name",
    "MATCH (d:Disease) WHERE d.`name` = 'x' CREATE (:Y) RETURN d",
    "MATCH (d:`Disease`) CREATE (d)-[:NEW_REL]->(:Z) RETURN d",
    "MATCH (d:Disease) WHERE d.name = 'it\\'s' CREATE (:V) RETURN d",
    'MATCH (d:Disease) WHERE d.name = "a" SET d.x = 1',
    "MATCH (d) /* comment */ DELETE d",
    "MATCH (d) WITH d, 'x' AS s MERGE (:W {s: s})",
    "UNWIND [1] AS x CREATE (:Q)",
    "match (d) detach delete d",
    "MATCH (d)\nCREATE\n(:N)",
    "CALL db.createLabel('Evil')",
    "MATCH (d:Disease) WITH d.`name` AS `n` MERGE (:M {n: n})",
    "CREATE INDEX evil IF NOT EXISTS FOR (n:Disease) ON (n.hacked)",
    "CREATE FULLTEXT INDEX evil_text FOR (n:Disease) ON EACH [n.name]",
    "DROP INDEX disease_name IF EXISTS",
    "MATCH (d:Disease) SET d:Evil",
    "MATCH (d:Disease) REMOVE d:Disease",
    "MATCH (d:Disease) SET d += {hacked: true}",
    "MATCH (d:Disease) SET d = {}",
    "MATCH (a:Disease), (b:Symptom) MERGE (a)-[:EVIL]->(b)",
    "OPTIONAL MATCH (n) DETACH DELETE n",
    "WITH 1 AS x CREATE (:A {x: x})",
    "MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10 ROWS",
    "UNWIND range(1, 3) AS i MERGE (:Disease {name: toString(i)})",
    "CREATE DATABASE evil",
    "CREATE USER evil SET PASSWORD 'x'",
    "ALTER USER root SET PASSWORD 'x'",
    "GRANT ALL ON DATABASE * TO PUBLIC",
    "STOP DATABASE wenzhen",
    "CALL dbms.security.createUser('evil', 'x', false)",
    "CALL db.index.fulltext.createNodeIndex('evil', ['Disease'], ['name'])",
    "MATCH (d:Disease) WITH d\nMERGE (d)-[:SELF]->(d)",
    "MATCH (d:Disease) WHERE d.name STARTS WITH '/*' CREATE (:C) RETURN d",
    "MATCH (d:Disease) WHERE d.name = '*/' DETACH DELETE d",
    "MATCH (d:Disease)\tSET\td.t = 1",
    "MATCH (d:Disease) RETURN d UNION MATCH (e:Disease) DETACH DELETE e RETURN e AS d",
    "RETURN 1 AS `x` // ` \nCREATE (:Evil)",
]

SERVER_WRITES = [
    *QUERY_WRITES[:6],  # each changes the test graph when allowed
    "MATCH (d:Disease {name: '肝硬化'}) CREATE (d)-[:NEW_REL]->(d)",
    "CREATE (:NewLabel {x: 1})",
    "CREATE CONSTRAINT fake IF NOT EXISTS FOR (n:Fake) REQUIRE n.name IS UNIQUE",
    "DROP CONSTRAINT disease_name_unique",
    "CREATE INDEX evil IF NOT EXISTS FOR (n:Disease) ON (n.hacked)",
    "MATCH (d:Disease) WITH d LIMIT 1 CALL { WITH d SET d.y = 2 } RETURN 1",
    "MATCH (d:Disease) FOREACH (x IN [1] | SET d.z = x)",
    "MATCH (d:Disease) WHERE d.name = $`p` CREATE (:X {x: 1}) RETURN d.name",
    "MATCH (d:Disease) SET d:Evil",
    "MATCH (d:Disease) SET d += {hacked: true}",
    "MATCH ()-[r]->() DELETE r",
    "MATCH ()-[r]->() SET r.weight = 0",
    "UNWIND range(1, 3) AS i MERGE (:Disease {name: toString(i)})",
    "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line",
]

INJECTIONS = [
    "乙肝'}) DETACH DELETE n //",
    '乙肝"}) CREATE (:Evil) //',
    "乙肝` CREATE (:Evil) //",
    "x' OR 1=1 //",
    "}) MATCH (n) DETACH DELETE n RETURN 1 //",
    "乙肝\n MATCH (n) DETACH DELETE n",
    "$name CREATE (:Evil)",
    "乙肝\\' SET n.hacked = true //",
    "') CALL db.createLabel('Evil') //",
    "乙肝; DROP CONSTRAINT disease_name_unique",
]
