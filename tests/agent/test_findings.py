"""Reading patient messages: symptoms (with negation) against a dictionary, answers to pending questions,
age/sex/duration/history/medications, and the simulated patient's answers read back the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from wenzhen.agent.findings import PatientFacts, read_message
from wenzhen.agent.inquiry import (
    Answered,
    BodyPartDenied,
    BodyParts,
    BodyPartUnknown,
    Located,
    NothingElse,
    Question,
    Volunteered,
)
from wenzhen.agent.locations import BodyLocations
from wenzhen.agent.questions import template_text
from wenzhen.agent.simulator import NOTHING_ELSE, UNKNOWN, LayWords, RelativeWords, SimulatedPatient
from wenzhen.core.errors import InputError
from wenzhen.kg_loader.schema import Label
from wenzhen.retrieval.kg import DiseaseProfile, EntityDictionary


def dictionary() -> EntityDictionary:
    d = EntityDictionary()
    for name in ("乏力", "肝区疼痛", "发热", "黄疸", "腹水"):
        d.add(name, Label.SYMPTOM, name)
    d.add("乙肝", Label.DISEASE, "乙肝")
    d.add("乙型肝炎", Label.DISEASE, "乙肝", overwrite=False)
    d.add("恩替卡韦", Label.DRUG, "恩替卡韦")
    return d


def test_symptoms_negation_and_facts_in_an_opening_message() -> None:
    reading = read_message(
        dictionary(), "我男，45岁，肝区疼痛两周了，没有发热，有乙型肝炎，在吃恩替卡韦", None
    )
    assert reading.observations == (Volunteered("肝区疼痛"), Answered("发热", False))
    assert reading.facts == PatientFacts(45, "男", "两周", ("乙肝",), ("恩替卡韦",), who="您")


def test_short_answers_answer_the_pending_closed_question() -> None:
    pending = Question("symptom", "黄疸")
    assert read_message(dictionary(), "有的", pending).observations == (Answered("黄疸", True),)
    assert read_message(dictionary(), "没有", pending).observations == (Answered("黄疸", False),)
    reading = read_message(dictionary(), "没有黄疸，但是乏力", pending)
    assert reading.observations == (Answered("黄疸", False), Volunteered("乏力")) and reading.answered_pending


def test_replies_in_a_patients_words_answer_the_pending_question() -> None:
    words = dictionary()
    words.add("发烧", Label.SYMPTOM, "发热")
    words.add("头痛", Label.SYMPTOM, "头痛")
    fever = Question("symptom", "发热")
    assert read_message(words, "烧过两天，现在退了", fever).observations == (Answered("发热", True),)
    assert read_message(words, "量了36度8", fever).observations == (Answered("发热", False),)
    assert read_message(words, "这个倒没有", fever).observations == (Answered("发热", False),)
    assert read_message(words, "发烧没有，头痛", fever).observations == (
        Answered("发热", False),
        Volunteered("头痛"),
    )
    unsure = read_message(words, "不知道，没量过", fever)
    assert unsure.answered_pending and unsure.observations == ()  # not a "no", though it starts with 不


def test_doubt_is_kept_and_mildness_is_present() -> None:
    hedged = read_message(dictionary(), "好像有点发热，乏力倒是有点", None)
    assert hedged.observations == (Volunteered("发热", certain=False), Volunteered("乏力"))
    assert [m.hedge for m in hedged.mentions] == ["好像", None]
    assert read_message(dictionary(), "有点乏力", None).observations == (Volunteered("乏力"),)  # mild: there
    assert read_message(dictionary(), "可能没有发热", None).observations == (Answered("发热", False, False),)
    pending = Question("symptom", "黄疸")
    assert read_message(dictionary(), "好像有", pending).observations == (Answered("黄疸", True, False),)
    assert read_message(dictionary(), "好像没有", pending).observations == (Answered("黄疸", False, False),)


def test_a_symptom_said_and_denied_in_one_message_is_said() -> None:
    """Had at one time and not another, it is a complaint of the illness, not evidence against it; either
    order, and as the answer to a question about it."""
    words = dictionary()
    assert read_message(words, "前两天乏力，今天不乏力了", None).observations == (Volunteered("乏力"),)
    assert read_message(words, "夜里没有发热，早上发热", None).observations == (Volunteered("发热"),)
    answered = read_message(words, "夜里没有发热，早上发热", Question("symptom", "发热"))
    assert answered.observations == (Answered("发热", True),)
    assert read_message(words, "没有发热", None).observations == (Answered("发热", False),)


def test_answers_to_the_open_question() -> None:
    pending = Question("open")
    assert read_message(dictionary(), "还有腹水", pending).observations == (Volunteered("腹水"),)
    assert read_message(dictionary(), "没有了", pending).observations == (NothingElse(),)
    assert not read_message(dictionary(), "嗯", pending).answered_pending


def test_facts_merge_later_values_and_accumulate_lists() -> None:
    first = PatientFacts(age=40, history=("乙肝",))
    merged = first.merge(PatientFacts(sex="女", history=("乙肝", "脂肪肝")))
    assert merged == PatientFacts(40, "女", None, ("乙肝", "脂肪肝"), ())
    assert PatientFacts.from_dict({"history": ["乙肝"], "age": 3}) == PatientFacts(3, history=("乙肝",))


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("我爸嘴歪了说话不清楚", "您父亲"),
        ("孩子拉肚子三天了", "孩子"),
        ("我老婆最近老是心慌", "您爱人"),
        ("家里老人最近老咳嗽", "老人家"),
        ("我最近老是心慌", "您"),  # the writer is the patient
        ("我最近右上腹隐痛，我妈也乏力", "您"),  # the writer first, the mother in passing
        ("我家孩子拉肚子", "孩子"),
        ("我一岁半的孩子拉肚子", "孩子"),
        ("我妹夫这几天一直拉肚子", "您妹夫"),  # the longest name, not 我妹
        ("我老公公最近血压高", "您公公"),  # not 我老公
        ("我觉得我的孩子最近有点咳嗽", "孩子"),  # the writer tells of the child
        ("我担心我妈是不是中风了", "您母亲"),
        ("我觉得最近老是心慌", "您"),
    ],
)
def test_a_relative_writing_for_the_patient_is_noticed_and_kept(text: str, who: str) -> None:
    facts = read_message(dictionary(), text, None).facts
    assert facts.who == who
    later = facts.merge(read_message(dictionary(), "我妈也这样", None).facts)
    assert later.who == who  # the patient stays who the consultation began about


def test_the_simulated_patient_answers_from_the_hidden_disease() -> None:
    profile = DiseaseProfile("肝硬化", ("乏力", "腹水", "黄疸"), ("肝",), "中老年人")
    patient = SimulatedPatient(profile, "黄疸", dictionary(), seed=0)
    linker = dictionary()
    assert read_message(linker, patient.opening_message(), None).observations == (Volunteered("黄疸"),)
    yes = patient.answer(template_text(Question("symptom", "腹水")))
    assert read_message(linker, yes, Question("symptom", "腹水")).observations == (Answered("腹水", True),)
    no = patient.answer(template_text(Question("symptom", "发热")))
    assert read_message(linker, no, Question("symptom", "发热")).observations == (Answered("发热", False),)
    named = patient.answer(template_text(Question("open")))
    assert named == "还有乏力。"  # the only KG symptom not mentioned yet
    assert patient.answer(template_text(Question("open"))) == NOTHING_ELSE
    assert patient.answer(template_text(Question("body_part"))) == "肝。"
    assert patient.answer(template_text(Question("body_part", "胃"))) == "肝。"  # the KG value, always
    assert patient.answer("您多大年纪？") == "中老年人。"
    assert patient.answer("平时睡眠怎么样？") == UNKNOWN


def test_answers_about_where() -> None:
    parts = ["腹部", "肝", "胃"]
    where, at_liver = Question("body_part"), Question("body_part", "肝")
    assert read_message(dictionary(), "肝、腹部。", where, parts).observations == (BodyParts(("肝", "腹部")),)
    assert read_message(dictionary(), "不清楚", where, parts).observations == (BodyPartUnknown(),)
    assert read_message(dictionary(), "不是", at_liver, parts).observations == (BodyPartDenied("肝"),)
    assert read_message(dictionary(), "应该是吧", at_liver, parts).observations == (BodyParts(("肝",)),)
    assert read_message(dictionary(), "这个倒不是", at_liver, parts).observations == (BodyPartDenied("肝"),)
    assert read_message(dictionary(), "是的", at_liver, parts).observations == (BodyParts(("肝",)),)
    assert read_message(dictionary(), "是胃", at_liver, parts).observations == (BodyParts(("胃",)),)


def test_where_the_patient_says_it_is_unprompted_is_read_from_everyday_location_words(
    tmp_path: Path,
) -> None:
    places = BodyLocations.load()
    opening = read_message(dictionary(), "我最近右上腹隐隐作痛，乏力", None, ["肝"], places)
    assert opening.observations == (Volunteered("乏力"), Located(("肝", "胆", "腹部")))
    assert read_message(dictionary(), "乏力两周", None, ["肝"], places).observations == (Volunteered("乏力"),)
    ribs = read_message(dictionary(), "我爸右边肋骨那里疼", None, ["肝"], places)
    assert Located(("肝", "胆", "腹部")) in ribs.observations  # no "where?" after the patient said where
    answer = read_message(dictionary(), "心口那块", Question("body_part"), ["肝", "胃"], places)
    assert answer.observations == (Located(tuple(sorted(["胃", "腹部", "胰腺", "食管"]))),)
    assert answer.answered_pending
    stomach = read_message(dictionary(), "胃胀气", None, ["肝", "胃"], places)
    assert Located(tuple(sorted(["胃", "腹部", "胰腺", "食管"])), ("胃",)) in stomach.observations
    named = read_message(dictionary(), "胃", Question("body_part"), ["肝", "胃"], places)
    assert named.observations == (BodyParts(("胃",)),)  # the graph's own name wins
    bad = tmp_path / "places.tsv"
    bad.write_text("# comment\n右上腹\t肝\n心口\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"places\.tsv:3: expected location words<TAB>body parts"):
        BodyLocations.load(bad)


def test_a_lay_patient_says_everyday_words_and_answers_bare_yes_or_no() -> None:
    profile = DiseaseProfile("肠炎", ("腹泻", "发热"))
    words = LayWords({"腹泻": ("拉肚子",), "发热": ("发烧",)}, seed=0)
    patient = SimulatedPatient(profile, "腹泻", dictionary(), speech=words)
    assert patient.opening_message() == "我最近拉肚子。"
    assert patient.answer("请问您有没有发热的情况？") == "有的。"
    assert patient.answer("请问您有没有黄疸的情况？") == "没有。"
    assert patient.answer("还有哪些不舒服？") == "没有了。"  # 发热 was asked and said


def test_a_relative_tells_it_and_the_hedged_answers_are_read_as_unsure() -> None:
    profile = DiseaseProfile("肠炎", ("腹泻", "发热"))
    words = RelativeWords({"腹泻": ("拉肚子",), "发热": ("发烧",)}, seed=0)
    patient = SimulatedPatient(profile, "腹泻", dictionary(), speech=words)
    opening = patient.opening_message()
    assert opening.endswith("拉肚子。") and read_message(dictionary(), opening, None).facts.who != "您"
    fever = Question("symptom", "发热")
    linker = dictionary()
    linker.add("发烧", Label.SYMPTOM, "发热")
    for has, replies in ((True, RelativeWords.YES), (False, RelativeWords.NO)):
        for reply in (template.format("发烧") for template in replies):  # 没有发烧, 发烧倒是没有 …
            (observation,) = read_message(linker, reply, fever).observations
            sure = not reply.startswith(("好像", "应该"))
            assert observation == Answered("发热", has, sure), reply
    assert patient.answer("请问您有没有发热的情况？") in {t.format("发烧") for t in RelativeWords.YES}


def test_lay_words_files_name_their_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "lay.tsv"
    path.write_text("# comment\n腹泻\t拉肚子、拉稀\n发热 发烧\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"lay.tsv:3: expected concept<TAB>phrasing"):
        LayWords.read(path)
    path.write_text("腹泻\t拉肚子、拉稀\n发热\t发烧\n腹泻\t跑肚\n", encoding="utf-8")
    read = LayWords.read(path).phrasings  # a concept on two lines: none of its phrasings lost
    assert read == {"腹泻": ("拉肚子", "拉稀", "跑肚"), "发热": ("发烧",)}
