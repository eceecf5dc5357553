"""Who has a disease and who the patient is: the graph's population texts, a relative's words, and the
inquiry's prior over them."""

from __future__ import annotations

import pytest

from wenzhen.agent.findings import PatientFacts, read_message
from wenzhen.agent.inquiry import (
    DiseaseIndex,
    InquiryParameters,
    InquiryPolicy,
    InquiryState,
    Volunteered,
)
from wenzhen.agent.population import Population, read_population
from wenzhen.agent.session import inquiry_state
from wenzhen.agent.simulator import RelativeWords
from wenzhen.retrieval.kg import DiseaseProfile, EntityDictionary

PROFILES = [
    DiseaseProfile("急性小脑共济失调", ("步态不稳", "震颤"), population="多见于儿童"),
    DiseaseProfile("帕金森病", ("步态不稳", "震颤"), population="中老年人"),
    DiseaseProfile("小脑萎缩", ("步态不稳", "震颤"), population="所有人群"),
    DiseaseProfile("妊娠剧吐", ("呕吐",), population="孕妇"),
    DiseaseProfile("急性胃肠炎", ("呕吐",), population="所有人群"),
]


@pytest.mark.parametrize(
    ("text", "ages", "sex"),
    [
        ("儿童", {"newborn", "infant", "child", "adolescent"}, None),
        ("中老年男性", {"middle", "old"}, "男"),
        ("妊娠期女性", {"young", "middle"}, "女"),
        ("40岁以上人群", {"young", "middle", "old"}, None),
        ("男性多于女性", set(), None),  # both sexes: neither
        ("所有人群", set(), None),
        ("所有人群，大多是儿童", set(), None),  # anyone, mostly children: not limited to them
        ("各年龄段女性，大多是十岁以上女性", set(), "女"),
        ("无特定的人群", set(), None),
        (None, set(), None),
    ],
)
def test_a_population_text_names_age_bands_and_a_sex(
    text: str | None, ages: set[str], sex: str | None
) -> None:
    population = read_population(text)
    assert set(population.ages) == ages and population.sex == sex


@pytest.mark.parametrize(
    ("text", "ages", "sex"),
    [
        ("我爸最近走路不太稳，手一直抖", {"young", "middle", "old"}, "男"),
        ("孩子这两天走路不太稳", {"newborn", "infant", "child", "adolescent"}, None),
        ("我老婆最近老是吐", {"young", "middle", "old"}, "女"),
        ("我奶奶78岁，手一直抖", {"old"}, "女"),
        ("家里老人最近手抖", {"old"}, None),
        ("我爸六十八岁了，最近手一直抖", {"old"}, "男"),  # an age in Chinese numerals
        ("孩子三岁，老是吐", {"child"}, None),
        ("我今年五十多岁，老是吐", {"middle"}, None),
        ("宝宝五个月大，老吐奶", {"newborn", "infant"}, None),  # months: under a year
        ("宝宝出生十天，老吐奶", {"newborn", "infant"}, None),
        ("我婆婆最近老咳嗽", {"young", "middle", "old"}, "女"),  # in-laws, brothers and sisters
        ("我哥这几天咳嗽", set(), "男"),
        ("我们家宝贝三岁半，一直咳嗽", {"child"}, None),
        ("我老妈今年六十五，最近膝盖疼", {"old"}, "女"),  # an age without 岁
        ("我是孕妇，最近老是吐", {"young", "middle"}, "女"),
        ("我没怀孕，最近老是吐", set(), None),  # denied
        ("我72岁的老父亲最近手一直抖", {"old"}, "男"),  # described between 我 and the word
        ("我最近老是吐", set(), None),  # the writer said neither
        ("我，女，25岁，最近老是吐", {"young"}, "女"),
    ],
)
def test_the_patient_is_who_the_message_says(text: str, ages: set[str], sex: str | None) -> None:
    patient = read_message(EntityDictionary(), text, None).facts.population()
    assert set(patient.ages) == ages and patient.sex == sex


def test_a_babys_age_in_months_is_not_how_long_it_has_been() -> None:
    facts = read_message(EntityDictionary(), "宝宝才两个月，吐奶三天了", None).facts
    assert (facts.age, facts.duration) == (0, "三天")
    facts = read_message(EntityDictionary(), "孩子拉肚子两个月了", None).facts
    assert (facts.age, facts.duration) == (None, "两个月")
    facts = read_message(EntityDictionary(), "孩子三天没拉大便，烧到39了", None).facts
    assert (facts.age, facts.duration) == (None, "三天")  # 39了 is a temperature, 三天 how long


def test_another_relative_named_later_does_not_change_the_patients_sex() -> None:
    first = read_message(EntityDictionary(), "我爸最近手一直抖", None).facts
    later = first.merge(read_message(EntityDictionary(), "我妈也这样", None).facts)
    assert later.sex == "男" and later.who == "您父亲"


def policy(**changes: float) -> InquiryPolicy:
    return InquiryPolicy(DiseaseIndex(PROFILES), InquiryParameters(**changes))  # type: ignore[arg-type]


def observed(patient: Population, symptom: str = "步态不稳") -> InquiryState:
    return InquiryState(patient=patient, observations=(Volunteered(symptom),))


def ranking(patient: Population, symptom: str = "步态不稳", **changes: float) -> list[str]:
    """The diseases with ``symptom``, most likely first, for this patient (ties by name)."""
    having = {p.disease for p in PROFILES if symptom in p.symptoms}
    return [r.disease for r in policy(**changes).ranking(observed(patient, symptom)) if r.disease in having]


def test_a_disease_of_another_population_falls_behind() -> None:
    father = PatientFacts(who="您父亲", sex="男").population()
    child = PatientFacts(who="孩子").population()
    assert ranking(father)[-1] == "急性小脑共济失调"
    assert ranking(child)[-1] == "帕金森病"
    assert ranking(father, "呕吐") == ["急性胃肠炎", "妊娠剧吐"]  # a man is not pregnant
    assert ranking(Population(), "呕吐") == ["妊娠剧吐", "急性胃肠炎"]  # ties by name: no population read


def test_naming_the_patients_population_does_not_favour_a_disease() -> None:
    child = PatientFacts(who="孩子").population()
    scores = {r.disease: r.probability for r in policy().ranking(observed(child))}
    assert scores["急性小脑共济失调"] == pytest.approx(scores["小脑萎缩"])  # 儿童 and 所有人群 alike
    assert ranking(child, population_wrong=1.0) == ranking(Population())  # no weight: as if not known


def test_a_disease_whose_name_says_who_has_it_excludes_the_others() -> None:
    """小儿… says who alone has it, where 多见于儿童 says who mostly does."""
    named = DiseaseProfile("小儿急性小脑", ("步态不稳", "震颤"), population="所有人群")
    assert read_population(named.population, named.disease).certain
    profiles = [named, *PROFILES]
    policy = InquiryPolicy(
        DiseaseIndex(profiles), InquiryParameters(population_wrong=0.1, population_excluded=0.01)
    )
    father = PatientFacts(who="您父亲", sex="男").population()
    scores = {r.disease: r.probability for r in policy.ranking(observed(father), 10)}
    assert scores["小儿急性小脑"] == pytest.approx(0.01 * scores["小脑萎缩"])
    assert scores["急性小脑共济失调"] == pytest.approx(0.1 * scores["小脑萎缩"])  # 多见于儿童: mostly


def test_a_consultations_stored_facts_reach_the_inquiry() -> None:
    state = inquiry_state({"observations": [], "asked": [], "facts": {"who": "孩子"}})
    assert state.patient.ages == {"newborn", "infant", "child", "adolescent"}


def test_the_simulated_relative_writes_for_someone_in_the_diseases_population() -> None:
    openings = {
        RelativeWords({}, seed, read_population("多见于儿童")).opening("走路不稳") for seed in range(20)
    }
    assert openings == {"孩子这两天走路不稳。"}
    women = {RelativeWords({}, seed, read_population("孕妇")).opening("吐") for seed in range(20)}
    assert women == {"我妈这几天吐。", "我老婆最近吐。"}
    assert (
        len({RelativeWords({}, seed, read_population("所有人群")).opening("吐") for seed in range(40)}) == 5
    )
