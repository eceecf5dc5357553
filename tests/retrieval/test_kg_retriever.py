"""The KG retriever against the real server: linking, facts with provenance, candidate diseases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.attempts import INJECTIONS
from wenzhen.agent.findings import read_message
from wenzhen.agent.inquiry import Answered, Question, Volunteered
from wenzhen.kg_loader.loader import load_file
from wenzhen.kg_loader.options import LoadOptions
from wenzhen.kg_loader.schema import Label
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.kg import KGRetriever, Mention

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def kg(store: GraphStore, tmp_path: Path) -> KGRetriever:
    for name in ("cmekg_sample.jsonl", "triples_sample.tsv"):
        load_file(store, DATA / name, LoadOptions(), tmp_path / "checkpoints")
    store.write(
        "MATCH (d:Disease {name: '原发性肝癌'}) MERGE (s:Symptom {name: '乏力'}) "
        "ON CREATE SET s.source = 't', s.line = 1 "
        "MERGE (d)-[r:HAS_SYMPTOM]->(s) ON CREATE SET r.predicate = '相关症状', r.source = 't', r.line = 9"
    )
    return KGRetriever(store)


def test_linking_finds_names_aliases_and_negation(kg: KGRetriever) -> None:
    mentions = kg.link("有乙型肝炎病史，最近肝肿大，没有惊厥，检查转氨酶增高")
    found = {(m.name, m.label, m.negated) for m in mentions}
    assert ("乙肝", Label.DISEASE, False) in found  # 乙型肝炎 is an alias of 乙肝
    assert ("肝肿大", Label.SYMPTOM, False) in found
    assert ("惊厥", Label.SYMPTOM, True) in found
    assert ("转氨酶增高", Label.SYMPTOM, False) in found
    hepatitis = next(m for m in mentions if m.name == "乙肝")
    assert hepatitis.surface == "乙型肝炎" and (hepatitis.start, hepatitis.end) == (1, 5)


def test_facts_carry_their_triples_and_provenance(kg: KGRetriever) -> None:
    facts = kg.facts("乙型肝炎", ("HAS_SYMPTOM", "HAS_COMPLICATION"))
    assert facts is not None and facts.disease == "乙肝"
    assert facts.attributes["infectivity"] == "有传染性" and "source" not in facts.attributes
    texts = {t.text() for t in facts.triples}
    assert "乙肝 相关症状 肝肿大" in texts and "乙肝 并发症 肝硬化" in texts
    assert {t.type for t in facts.triples} == {"HAS_SYMPTOM", "HAS_COMPLICATION"}
    assert all(t.source == "cmekg_sample.jsonl" and t.line == 2 for t in facts.triples)
    assert kg.facts("不存在的病") is None


def test_candidates_rank_by_present_and_absent_symptoms(kg: KGRetriever) -> None:
    ranked = kg.candidates(present=["肝肿大", "转氨酶增高"], absent=["惊厥"])
    assert ranked[0].disease == "乙肝" and {t.tail for t in ranked[0].matched} == {"肝肿大", "转氨酶增高"}
    assert all(t.line == 2 for t in ranked[0].matched)
    epilepsy = kg.candidates(present=["惊厥", "昏睡"], absent=[])[0]
    assert epilepsy.disease == "癫痫" and epilepsy.contradicted == []
    penalised = kg.candidates(present=["乏力", "惊厥"], absent=["昏睡"])
    scores = {c.disease: c for c in penalised}
    assert scores["癫痫"].contradicted == ["昏睡"] and scores["原发性肝癌"].score > scores["癫痫"].score
    assert kg.candidates(present=[]) == []


CONCEPTS = (
    '{"concept": "腹泻", "names": ["腹泻", "稀便"], "lay": ["拉肚子", "{拉|跑}*{肚子|厕所}"]}\n'
    '{"concept": "发热", "names": ["发热", "发烧"], "lay": ["身上烫"], "broader": []}\n'
    '{"concept": "高热", "names": ["高热"], "lay": ["高烧"], "broader": ["发热"]}\n'
    '{"concept": "", "names": []}\n'
    '{"concept": "乏力", "names": "乏力"}\n'
    '{"concept": "乏力", "lay": [1, 2]}\n'
)


def test_symptom_concepts_load_link_and_widen_profiles(store: GraphStore, tmp_path: Path) -> None:
    load_file(store, DATA / "cmekg_sample.jsonl", LoadOptions(), tmp_path / "checkpoints")
    store.write("CREATE (:Disease {name: '拉肚子', source: 't', line: 1})")  # a disease named like a phrasing
    concepts = tmp_path / "concepts.jsonl"
    concepts.write_text(CONCEPTS, encoding="utf-8")
    report = tmp_path / "concepts.issues.jsonl"
    summary = load_file(store, concepts, LoadOptions(report=report), tmp_path / "checkpoints")
    assert summary.format == "concepts" and summary.records == 4 and summary.rejected_rows == 2
    assert "field lay must be a list of strings" in report.read_text(encoding="utf-8")
    kg = KGRetriever(store)
    assert kg.concepts.concept_of("稀便") == "腹泻" and kg.concepts.with_broader("高热") == ("高热", "发热")
    linked = {(m.name, m.surface, m.negated) for m in kg.link("孩子拉肚子，一天跑了五趟厕所，没有发烧")}
    assert linked == {("腹泻", "拉肚子", False), ("腹泻", "跑了五趟厕所", False), ("发热", "发烧", True)}
    assert set(kg.names_of("发热")) == {"发热", "发烧", "身上烫", "高热", "高烧"}  # narrower 高热's too
    assert set(kg.names_of("高热")) == {"高热", "高烧"}
    reply = read_message(kg, "高烧，39度多", Question("symptom", "发热"))
    assert reply.observations == (Answered("发热", True), Volunteered("高热"))
    kg_profiles = {p.disease: p.symptoms for p in kg.concept_profiles()}
    plain = {p.disease: p.symptoms for p in kg.disease_profiles()}
    assert set(kg_profiles) == set(plain)  # the same diseases, their symptoms as concepts


NAMED_TWICE = [
    {"中心词": "高血压", "别名": ["高血压病"], "相关症状": ["头痛", "头晕"], "药物治疗": ["氨氯地平"]},
    {"中心词": "肾炎", "相关症状": ["高血压", "水肿"], "药物治疗": ["氨氯地平", "泼尼松"]},
    {"中心词": "癫痫", "相关症状": ["抽搐"]},
    {"中心词": "脑积水", "相关症状": ["头痛"], "检查": ["癫痫"]},
    {"中心词": "头痛", "相关症状": ["头痛"]},
]


def _named_twice(store: GraphStore, tmp_path: Path) -> KGRetriever:
    """:data:`NAMED_TWICE` loaded with one symptom concept, 头痛 (with none, every symptom is a complaint)."""
    graph = tmp_path / "kg.jsonl"
    graph.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in NAMED_TWICE), "utf-8")
    concepts = tmp_path / "concepts.jsonl"
    concepts.write_text('{"concept": "头痛", "names": ["头痛"], "lay": ["脑袋疼"]}\n', encoding="utf-8")
    for path in (graph, concepts):
        load_file(store, path, LoadOptions(), tmp_path / "checkpoints")
    return KGRetriever(store)


def test_a_disease_named_like_a_symptom_or_a_check_is_read_as_the_disease_too(
    store: GraphStore, tmp_path: Path
) -> None:
    """高血压 is a disease and a symptom other diseases list; the crawl has a check named 癫痫. A message
    naming either as diagnosed names the disease (the patient's history; what a question asks about), while
    a symptom concept named like a disease (头痛) stays the patient's complaint. 癫痫 links as the disease,
    not as a check, which only describes a complaint and so let the words around it be read as one by
    meaning (我弟弟得了癫痫病 read as 抽搐)."""
    kg = _named_twice(store, tmp_path)
    assert kg.dictionary.diseases == {"高血压": "高血压"}
    (epilepsy_named,) = kg.link("我弟弟得了癫痫病")
    assert epilepsy_named.label is Label.DISEASE and not epilepsy_named.describes
    asked = read_message(kg, "妈妈有高血压，高血压可以吃莲子吗？", None)
    assert asked.asked_about == ("高血压",) and asked.observations == ()
    assert asked.facts.history == ("高血压",)
    epilepsy = read_message(kg, "癫痫病能自愈吗？", None)
    assert epilepsy.asked_about == ("癫痫",) and epilepsy.facts.history == ("癫痫",)
    complaint = read_message(kg, "我妈头痛，有高血压病，怎么办？", None)
    assert complaint.asked_about == () and complaint.observations == (Volunteered("头痛"),)
    assert complaint.facts.history == ("高血压",)
    reported = read_message(kg, "我妈有高血压，最近头痛", None)
    assert reported.asked_about == ()
    assert reported.observations == (Volunteered("高血压"), Volunteered("头痛"))  # evidence, as before
    comorbid = read_message(kg, "合并高血压的肾炎患者能用泼尼松吗？", None)
    assert comorbid.asked_about == ("高血压", "肾炎", "泼尼松") and comorbid.observations == ()
    gotten = read_message(kg, "为什么会得高血压。？", None)  # how one gets it: the disease
    assert gotten.asked_about == ("高血压",) and gotten.observations == ()
    cured = read_message(kg, "我爸这两年一直高血压，高血压能不能治好？", None)  # asked of as a disease
    assert cured.asked_about == ("高血压",) and cured.observations == ()
    unsure = read_message(kg, "医生讲了高血压的风险。不知晓高血压能彻底治好吗？", None)  # 不知晓: no denial
    assert unsure.asked_about == ("高血压",) and unsure.observations == ()
    felt = read_message(kg, "最近高血压，怎么办？", None)  # not said to be diagnosed: the complaint
    assert felt.asked_about == () and felt.observations == (Volunteered("高血压"),) and not felt.facts.history


def test_a_drug_asked_about_is_no_drug_taken_and_the_graph_tells_what_lists_it(
    store: GraphStore, tmp_path: Path
) -> None:
    """Real questions ask whether a drug suits a disease (心绞痛可以用七十味珍珠丸吗？). The drug is not
    one the patient takes, and a disease named before a treatment asked about (高血压可以吃, 高血压用…管用吗)
    was diagnosed. The graph tells which diseases list the drug under their drug treatment, in its order."""
    kg = _named_twice(store, tmp_path)
    uses = kg.drug_uses("氨氯地平")
    assert [(t.head, t.type, t.tail) for t in uses.listed_by] == [
        ("高血压", "TREATED_WITH_DRUG", "氨氯地平"),
        ("肾炎", "TREATED_WITH_DRUG", "氨氯地平"),
    ]
    assert [t.line for t in uses.listed_by] == [1, 2] and kg.drug_uses("阿司匹林").listed_by == []
    asked = read_message(kg, "高血压可以吃氨氯地平吗？", None)
    assert asked.asked_about == ("高血压", "氨氯地平") and asked.facts.medications == ()
    assert asked.observations == () and asked.facts.history == ("高血压",)
    device = read_message(kg, "高血压用降压仪管用吗？", None)
    assert device.asked_about == ("高血压",) and device.observations == ()
    taking = read_message(kg, "我在吃氨氯地平，最近头晕", None)
    assert taking.facts.medications == ("氨氯地平",) and taking.asked_about == ()
    prescribed = read_message(kg, "头晕，医生开了泼尼松", None)
    assert prescribed.facts.medications == ("泼尼松",)


def test_phrasings_read_over_body_parts_and_the_longer_phrasing_wins() -> None:
    from wenzhen.retrieval.kg import EntityDictionary
    from wenzhen.retrieval.patterns import compile_term

    dictionary = EntityDictionary()
    dictionary.add("肛门", Label.BODY_PART, "肛门")
    dictionary.add("体温", Label.CHECK, "体温")
    dictionary.add("吐了", Label.SYMPTOM, "呕吐")
    phrasings = [("肛门*痛", "肛门疼痛"), ("体温*高", "发热"), ("有痰", "咳痰"), ("痰*血", "咯血")]
    dictionary.patterns += [(compile_term(phrasing), concept) for phrasing, concept in phrasings]
    found = [(m.name, m.label) for m in dictionary.link("肛门痛，体温有点高")]
    assert found == [
        ("肛门", Label.BODY_PART),
        ("肛门疼痛", Label.SYMPTOM),  # the body part named inside a phrasing does not hide it
        ("体温", Label.CHECK),
        ("发热", Label.SYMPTOM),
    ]
    assert [m.name for m in dictionary.link("还有痰里带血")] == ["咯血"]  # not 有痰: the longer match
    assert [m.name for m in dictionary.link("吐了好多血")] == ["呕吐"]  # a name found word for word stays


def test_a_phrasing_replaces_the_symptom_word_it_qualifies() -> None:
    from wenzhen.retrieval.kg import EntityDictionary
    from wenzhen.retrieval.patterns import compile_term

    dictionary = EntityDictionary()
    for name, concept in (("没劲", "乏力"), ("头疼", "头痛"), ("吐白沫痰", "吐白沫痰"), ("大便带血", "便血")):
        dictionary.add(name, Label.SYMPTOM, concept)
    phrasings = [
        ("{半边|一侧}*{没劲|无力}", "偏瘫"),
        ("胃*疼", "上腹痛"),
        ("有*痰", "咳痰"),
        ("大便*稀", "腹泻"),
    ]
    dictionary.patterns += [(compile_term(phrasing), concept) for phrasing, concept in phrasings]

    def read(text: str) -> list[str]:
        return [m.name for m in dictionary.link(text)]

    assert read("半边身子没劲") == ["偏瘫"]  # was 乏力: the word it ends with
    assert read("胃里头疼") == ["上腹痛"]  # was 头痛
    assert read("浑身没劲") == ["乏力"]
    assert read("还有吐白沫痰") == ["吐白沫痰"]  # a name longer than the phrasing's own words stays
    assert read("大便带血很稀") == ["便血"]  # a name it does not end with stays too


def test_where_it_hurts_is_read_by_its_most_specific_phrasing() -> None:
    from wenzhen.retrieval.kg import EntityDictionary
    from wenzhen.retrieval.patterns import compile_term

    dictionary = EntityDictionary()
    for name, concept in (("头疼", "头痛"), ("面痛", "脸部疼痛")):
        dictionary.add(name, Label.SYMPTOM, concept)
    # the more general phrasing first, so the order of the patterns cannot decide
    phrasings = [("牙*疼", "牙痛"), ("牙龈*疼", "牙龈痛"), ("舌头*疼", "舌痛")]
    dictionary.patterns += [(compile_term(phrasing), concept) for phrasing, concept in phrasings]

    def read(text: str) -> list[str]:
        return [m.name for m in dictionary.link(text)]

    assert read("牙龈疼") == ["牙龈痛"]  # one span, more of it the phrasing's own words: was 牙痛
    assert read("牙一直疼") == ["牙痛"]
    assert read("舌头疼") == ["舌痛"]  # was 头痛, the name inside it
    assert read("右胁下面痛") == []  # 下面: below; was 面痛, face pain
    assert read("面痛，头疼") == ["脸部疼痛", "头痛"]


def test_what_is_felt_is_said_of_the_place_nearest_it() -> None:
    from wenzhen.retrieval.kg import EntityDictionary
    from wenzhen.retrieval.patterns import compile_term

    dictionary = EntityDictionary()
    for name, concept in (("腰疼", "腰痛"), ("头疼", "头痛"), ("眼疼", "眼痛")):
        dictionary.add(name, Label.SYMPTOM, concept)
    phrasings = [("肩*疼", "肩痛"), ("肚子*疼", "腹痛"), ("头*疼", "头痛")]
    phrasings += [("嗓子*疼", "咽痛"), ("胃*疼", "上腹痛"), ("脖子*疙瘩", "淋巴结肿大"), ("长*疙瘩", "皮疹")]
    dictionary.patterns += [(compile_term(phrasing), concept) for phrasing, concept in phrasings]

    def read(text: str) -> list[str]:
        return [m.name for m in dictionary.link(text)]

    assert read("肩上扛东西后腰疼") == ["腰痛"]  # was 肩痛: its gap swallowed the name 腰疼
    assert read("肚子饿了头就疼") == ["头痛"]  # was 腹痛: its gap swallowed the phrasing 头…疼
    assert read("肚子一阵一阵地疼") == ["腹痛"]
    assert read("嗓子眼疼") == ["咽痛"]  # 眼 runs on from the place word: still the phrasing's
    assert read("胃里头疼") == ["上腹痛"]
    assert read("嗓子眼儿里头疼") == ["咽痛"]  # no name begins on the 头 of 里头
    assert read("手指头疼") == []  # nor of 指头: was 头痛
    assert read("脖子上长疙瘩") == ["淋巴结肿大"]  # what is not felt is not said of a place: 长 is none


def test_what_is_felt_in_a_clause_naming_nothing_is_of_the_place_before() -> None:
    from wenzhen.retrieval.kg import EntityDictionary, said_over_denied
    from wenzhen.retrieval.patterns import compile_term

    dictionary = EntityDictionary()
    dictionary.add("屁股疼", Label.SYMPTOM, "肛门疼痛")
    phrasings = [("肚子*疼", "腹痛"), ("胃*疼", "上腹痛"), ("头*疼", "头痛"), ("{肚子|胃}*胀", "腹胀")]
    dictionary.patterns += [(compile_term(phrasing), concept) for phrasing, concept in phrasings]

    def read(text: str) -> list[tuple[str, bool]]:
        return [(m.name, m.negated) for m in dictionary.link(text)]

    assert read("刚开始肚子不疼，现在疼得厉害") == [("腹痛", True), ("腹痛", False)]  # was denied alone
    assert read("吃饭的时候胃不疼，饿了就疼") == [("上腹痛", True), ("上腹痛", False)]
    assert read("肚子疼，现在不疼了") == [("腹痛", False), ("腹痛", True)]
    assert read("肚子不疼，屁股疼") == [("腹痛", True), ("肛门疼痛", False)]  # a place of its own
    assert read("头不疼，疼的是胃") == [("头痛", True)]  # the place follows what is felt
    assert read("肚子不疼，腿有点酸") == [("腹痛", True)]  # not what the clause before felt
    # felt otherwise: the place felt so (胃疼), read after what the clause says first (real_questions_dev2)
    assert read("总是胃胀，半夜里疼得睡不着") == [("腹胀", False), ("上腹痛", False)]
    assert read("肚子不胀，就是疼") == [("腹胀", True), ("腹痛", False)]
    said = said_over_denied(dictionary.link("刚开始肚子不疼，现在疼得厉害"))
    assert [(m.name, m.negated) for m in said] == [("腹痛", False)]


def test_degang_says_how_much_not_panic() -> None:
    from wenzhen.retrieval.kg import EntityDictionary
    from wenzhen.retrieval.patterns import compile_term

    dictionary = EntityDictionary()
    phrasings = [("心*慌", "心悸"), ("{心口|心里}*{闷|堵}", "胸闷"), ("心口*烧", "反酸")]
    dictionary.patterns += [(compile_term(phrasing), concept) for phrasing, concept in phrasings]
    read = [[m.name for m in dictionary.link(text)] for text in ("心里闷得慌", "心口烧得慌", "心里慌得很")]
    assert read == [["胸闷"], ["反酸"], ["心悸"]]  # 得慌 was read as 心…慌


def test_a_denial_inside_a_phrasing_or_after_a_name_is_read() -> None:
    from wenzhen.retrieval.kg import EntityDictionary
    from wenzhen.retrieval.patterns import compile_term

    dictionary = EntityDictionary()
    for name in ("发烧", "咳嗽", "拉肚子", "鼻子不通气"):
        dictionary.add(name, Label.SYMPTOM, name)
    phrasings = [("{肚子|肚皮}*疼", "腹痛"), ("{头|脑袋}*疼", "头痛")]
    phrasings += [("肚子*胀", "腹胀"), ("肩膀*疼", "肩痛")]
    dictionary.patterns += [(compile_term(phrasing), concept) for phrasing, concept in phrasings]

    def read(text: str) -> list[tuple[str, bool]]:
        return [(m.name, m.negated) for m in dictionary.link(text)]

    assert read("肚子不疼，就是拉肚子") == [("腹痛", True), ("拉肚子", False)]  # was: 腹痛 present
    assert read("脑袋一点都不疼") == [("头痛", True)]
    assert read("肚子时不时疼") == [("腹痛", False)]  # 时不时: often
    assert read("发烧没有，咳嗽有") == [("发烧", True), ("咳嗽", False)]
    assert read("咳嗽倒是没有") == [("咳嗽", True)]
    assert read("发烧没有退") == [("发烧", False)]  # it has not gone down: still there
    assert read("肚子不胀就是疼") == [("腹痛", False)]  # the 不 is the 胀's; was 腹痛 denied
    assert read("肩膀抬不起来还疼") == [("肩痛", False)]  # 抬不起来: cannot, no denial; was 肩痛 denied
    assert read("鼻子不通气咳嗽") == [("鼻子不通气", False), ("咳嗽", False)]  # the 不 is a name's
    assert read("不咳嗽发烧") == [("咳嗽", True), ("发烧", True)]


def test_a_one_character_word_is_read_where_it_is_the_clause_s_verb() -> None:
    from wenzhen.retrieval.kg import EntityDictionary
    from wenzhen.retrieval.patterns import compile_term

    dictionary = EntityDictionary(words={"咳": "咳嗽", "晕": "头晕", "痒": "瘙痒"})
    for name, concept in (("嗓子痒", "喉咙痒"), ("晕车", "晕车"), ("头晕", "头晕")):
        dictionary.add(name, Label.SYMPTOM, concept)
    dictionary.patterns.append((compile_term("晕*过去"), "昏迷"))

    def read(text: str) -> list[tuple[str, bool, str | None]]:
        return [(m.name, m.negated, m.hedge) for m in dictionary.link(text)]

    assert read("咳了三天了") == [("咳嗽", False, None)]  # read nothing before
    assert read("不发烧也不咳") == [("咳嗽", True, None)]
    assert read("有点晕。") == [("头晕", False, "有点")]
    assert read("晚上痒得厉害") == [("瘙痒", False, None)]
    assert read("嗓子痒痒") == [("喉咙痒", False, None)]  # the second of a pair is no word of its own
    assert read("坐车晕车了") == [("晕车", False, None)]  # part of a name
    assert read("头晕了") == [("头晕", False, None)]  # once
    assert read("晕了过去") == [("昏迷", False, None)]  # a phrasing reads it first
    assert read("吃了止咳药") == []  # not the clause's verb


def test_symptoms_are_linked_by_meaning_where_no_word_matched(embedder: object, tmp_path: Path) -> None:
    from wenzhen.retrieval.concept_meaning import ConceptMeaning
    from wenzhen.retrieval.kg import SymptomConcept, SymptomConcepts

    concepts = SymptomConcepts(
        [
            SymptomConcept("腹泻", ("腹泻", "稀便"), ("拉肚子", "拉稀", "大便稀")),
            SymptomConcept("头痛", ("头痛", "头疼"), ("脑袋疼",)),
            SymptomConcept("咳嗽", ("咳嗽",), ("老咳",)),
        ]
    )
    meaning = ConceptMeaning.build(concepts, embedder, "e5", tmp_path)
    assert (tmp_path / "concept-vectors").is_dir()  # kept for the next start
    mentions = meaning.link("我最近大便很稀，不怎么咳，不清楚", [])
    found = [(m.name, m.surface, m.negated) for m in mentions]
    assert found == [("腹泻", "大便很稀", False), ("咳嗽", "怎么咳", True)]
    assert meaning.link("我今年三十五岁，在医院查过了", []) == []
    stomach = Mention("肚子", Label.BODY_PART, 0, 2, "肚子")
    assert [m.name for m in meaning.link("肚子老是拉稀", [stomach])] == ["腹泻"]  # read over the part
    assert meaning.link("肚子", [stomach]) == []  # a body part alone is no complaint
    asking = meaning.link("大便很稀是怎么回事？", [])  # the question about it is not compared
    assert [(m.name, m.surface) for m in asking] == [("腹泻", "大便很稀")]
    denied = meaning.link("大便正常，头从来不疼", [])  # near 腹泻 and 头痛 in words, denials in sense
    assert [(m.name, m.negated) for m in denied] == [("腹泻", True), ("头痛", True)]
    lately = meaning.link("从发病到现在都没头疼过", [])  # a denial within, after when: 都没
    assert [(m.name, m.negated) for m in lately] == [("头痛", True)]
    after = meaning.link("大便很稀倒是没有", [])  # compared without the denial after it
    assert [(m.name, m.surface, m.negated) for m in after] == [("腹泻", "大便很稀", True)]
    told = meaning.link("我爸大便很稀，婆婆最近不怎么咳", [])  # a relative tells it: the same reading
    assert [(m.name, m.surface, m.negated) for m in told] == [
        ("腹泻", "大便很稀", False),
        ("咳嗽", "怎么咳", True),
    ]


def test_a_clause_calling_an_appetite_good_denies_its_lack(embedder: object, tmp_path: Path) -> None:
    """A real question: "胃胀，食欲好，大小便等情况都正常" read 食欲好 as 食欲不振 said, near it in words."""
    from wenzhen.retrieval.concept_meaning import ConceptMeaning
    from wenzhen.retrieval.kg import SymptomConcept, SymptomConcepts

    appetite = SymptomConcept("食欲不振", ("食欲不振", "食欲减退", "食欲下降"), ("没胃口", "胃口差"))
    meaning = ConceptMeaning.build(SymptomConcepts([appetite]), embedder, "e5", tmp_path)
    assert [(m.name, m.negated) for m in meaning.link("最近胃胀，食欲好", [])] == [("食欲不振", True)]
    assert [(m.name, m.negated) for m in meaning.link("最近胃胀，食欲不好", [])] == [("食欲不振", False)]


def test_a_one_character_word_is_not_compared_by_meaning(embedder: object, tmp_path: Path) -> None:
    from wenzhen.retrieval.concept_meaning import ConceptMeaning
    from wenzhen.retrieval.kg import SymptomConcept, SymptomConcepts

    concepts = SymptomConcepts([SymptomConcept("呕吐", ("呕吐",), ("吐了", "吐"))])
    meaning = ConceptMeaning.build(concepts, embedder, "e5", tmp_path)
    assert meaning.concepts == ["呕吐", "呕吐"]  # 呕吐 and 吐了; the linker reads 吐 where it is a verb
    assert meaning.link("吐泡", []) == []  # a newborn blowing bubbles: near 吐 alone, no vomiting


def test_how_a_treatment_worked_is_no_complaint(embedder: object, tmp_path: Path) -> None:
    """From a real question (``real_questions_dev.tsv``): 手术治疗可能会比较好一点儿吧，吃完不管用 had read
    消化不良."""
    from wenzhen.retrieval.concept_meaning import ConceptMeaning
    from wenzhen.retrieval.kg import SymptomConcept, SymptomConcepts

    concepts = SymptomConcepts([SymptomConcept("消化不良", ("消化不良",), ("不消化", "吃完不消化", "积食"))])
    meaning = ConceptMeaning.build(concepts, embedder, "e5", tmp_path)
    assert meaning.concept_of("吃完不管用") is not None  # near in words: 吃完…不…
    assert meaning.link("手术治疗可能会比较好一点儿吧，吃完不管用！", []) == []
    assert [m.name for m in meaning.link("吃完药没效果，吃完还是不消化", [])] == ["消化不良"]


def test_the_writer_s_worry_is_no_complaint_of_anxiety(embedder: object, tmp_path: Path) -> None:
    """From real questions by relatives (``real_questions_dev4.tsv``): 有点担心 and 我现在非常得担心 had read
    焦虑, and the agent asked where it hurt instead of answering about the diagnosed disease."""
    from wenzhen.retrieval.concept_meaning import ConceptMeaning
    from wenzhen.retrieval.kg import SymptomConcept, SymptomConcepts

    anxiety = SymptomConcept("焦虑", ("焦虑", "紧张"), ("心里紧张", "老是担心", "总是担心"))
    concepts = SymptomConcepts([anxiety])
    meaning = ConceptMeaning.build(concepts, embedder, "e5", tmp_path)
    assert meaning.concept_of("非常得担心") is not None  # near 老是担心 in words
    assert meaning.link("从小就有癫痫了，现在到结婚年龄了，有点担心", []) == []
    assert meaning.link("我现在非常得担心，难过自己得了大病。", []) == []
    assert [m.name for m in meaning.link("最近心里特别紧张", [])] == ["焦虑"]


def test_a_negated_clause_says_a_lack_rather_than_denying_it(embedder: object, tmp_path: Path) -> None:
    from wenzhen.retrieval.concept_meaning import ConceptMeaning
    from wenzhen.retrieval.kg import SymptomConcept, SymptomConcepts

    concepts = SymptomConcepts(
        [
            SymptomConcept("食欲不振", ("食欲不振",), ("没胃口", "不想吃饭", "胃口差")),
            SymptomConcept("咳嗽", ("咳嗽",), ("老咳",)),
        ]
    )
    meaning = ConceptMeaning.build(concepts, embedder, "e5", tmp_path)
    assert meaning.lacks == {"食欲不振"}  # phrased as a negation: 没胃口
    mentions = meaning.link("孩子没什么胃口，不怎么想吃东西，不怎么咳", [])
    found = [(m.name, m.surface, m.negated) for m in mentions]
    assert found == [
        ("食欲不振", "没什么胃口", False),
        ("食欲不振", "不怎么想吃东西", False),
        ("咳嗽", "怎么咳", True),
    ]
    normal = meaning.link("胃口还行", [])  # near the lack, and called normal: a denial
    assert [(m.name, m.negated) for m in normal] == [("食欲不振", True)]


def test_a_pain_is_not_read_by_meaning_from_a_clause_that_says_none(embedder: object, tmp_path: Path) -> None:
    from wenzhen.retrieval.concept_meaning import ConceptMeaning
    from wenzhen.retrieval.kg import SymptomConcept, SymptomConcepts

    concepts = SymptomConcepts(
        [
            SymptomConcept("颌骨关节痛", ("颌骨关节痛",), ("下巴疼",)),
            SymptomConcept("口腔溃疡", ("口腔溃疡",), ("嘴里长泡",)),
        ]
    )
    meaning = ConceptMeaning.build(concepts, embedder, "e5", tmp_path)
    assert meaning.felt == {"颌骨关节痛": {"疼"}}  # every phrasing names the pain (痛 and 疼 as one)
    assert meaning.concept_of("下巴上长了个痘") is None  # near 下巴疼 in words; no pain said
    assert meaning.concept_of("下巴这里一直痒") is None  # what is felt is not the pain
    assert meaning.concept_of("下巴这里一直疼") is not None
    assert meaning.concept_of("嘴里长了个泡") is not None  # not a felt concept: no such word needed


def test_what_a_patient_types_never_writes_through_the_graph_retriever(kg: KGRetriever) -> None:
    """Patient text reaches the graph only as query parameters: every templated read, fed injections."""
    from tests.kg_loader.helpers import dump

    store = kg.store
    labels = store.read("CALL db.labels() YIELD label RETURN label ORDER BY label")
    before = dump(store)
    for text in INJECTIONS:
        kg.link(text)
        assert kg.resolve_disease(text) is None
        assert kg.facts(text) is None
        kg.candidates([text], [text])
        kg.concepts_named(text)
    assert dump(store) == before
    assert store.read("CALL db.labels() YIELD label RETURN label ORDER BY label") == labels
