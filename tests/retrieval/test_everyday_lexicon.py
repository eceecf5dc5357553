"""The shipped lexicon on the demo graph (``wenzhen kg load --demo``): signs patients describe rather than
name, how bad a complaint is, told by what it did, without reading the same verb said of a place as it, and
complaints said in one character."""

from __future__ import annotations

import pytest

from wenzhen.kg_loader.schema import Label
from wenzhen.kg_loader.store import GraphStore
from wenzhen.retrieval.kg import KGRetriever


@pytest.fixture(scope="module")
def kg(demo_with_concepts: GraphStore) -> KGRetriever:
    kg = KGRetriever(demo_with_concepts)
    kg.dictionary  # noqa: B018  (loaded while the module's graph is there)
    return kg


def read(kg: KGRetriever, text: str) -> set[str]:
    return {m.name for m in kg.link(text) if m.label is Label.SYMPTOM and not m.negated}


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("孩子嘴唇发紫", {"发绀"}),  # read nothing before
        ("憋得脸都紫了", {"发绀"}),
        ("看东西重影", {"复视"}),
        ("身上青一块紫一块", {"瘀斑"}),
        ("老流口水", {"流涎"}),  # the graph's 流口水 is one of its names now, not a concept of its own
        ("起风疙瘩", {"风团"}),  # was 皮疹 (起…疙瘩)
        ("乳房里摸到一个硬块", {"乳房肿块"}),  # was 肝脾肿大 (摸到…硬块)
        ("孩子烧得说胡话", {"发热", "谵妄"}),  # read nothing before
        ("烧得浑身发抖", {"发热", "寒战"}),  # was 寒战 alone, by meaning
        ("吐得胆汁都出来了", {"呕吐"}),
        ("痒得睡不着", {"瘙痒", "失眠"}),  # was 失眠 alone
        ("拉得人都没力气了", {"腹泻", "乏力"}),
        ("咳了三天了", {"咳嗽"}),  # a one-character word, the clause's verb: read nothing before
        ("还是有点晕", {"头晕"}),
        ("晕了过去", {"昏迷"}),  # not 头晕
    ],
)
def test_described_signs_and_consequences_are_read(kg: KGRetriever, text: str, concepts: set[str]) -> None:
    assert read(kg, text) == concepts


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("胃里烧得难受", {"上腹痛"}),  # not 发热: 烧得 gives way to the longer phrasing of a place
        ("嗓子痒得直咳嗽", {"喉咙痒", "咳嗽"}),  # not 瘙痒
        ("大便拉得很费劲", {"便秘"}),  # not 腹泻
        ("心口烧得慌", {"反酸"}),
    ],
)
def test_a_verb_said_of_a_place_is_not_read_as_the_whole_body_s(
    kg: KGRetriever, text: str, concepts: set[str]
) -> None:
    assert read(kg, text) == concepts


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("口里有红色泡泡", {"疱疹"}),  # a child's mouth or throat: read nothing before
        ("上颚有两三个白色小泡", {"疱疹"}),
        ("检查喉咙有泡", {"疱疹"}),
        ("有三处孢疹", {"疱疹"}),  # the common miswriting
        ("嘴里长泡", {"口腔溃疡"}),  # a bare 泡 in the mouth stays the everyday name of a mouth ulcer
        ("把夜奶和晚饭都吐出来了", {"呕吐"}),  # read nothing before
        ("半小时后连吐三回", {"呕吐"}),
        ("1周后转黄涕", {"流黄鼻涕"}),  # narrower than 流涕 (below)
        ("用药六天了完全没好转 鼻塞睡觉的时候偶尔一点点", {"鼻塞"}),  # a space ends the denial; was denied
    ],
)
def test_what_parents_write_is_read(kg: KGRetriever, text: str, concepts: set[str]) -> None:
    """Phrasings from the development part of Dxy's self-reports (``scripts/self_report_accuracy.py``)."""
    assert read(kg, text) == concepts


@pytest.mark.parametrize(
    ("text", "concepts"),
    [
        ("停药后发觉胃胀气", {"腹胀"}),  # was the graph's 胃胀, which one disease lists (腹胀: 345)
        ("吃完饭胃里有点胀", {"腹胀"}),
        ("烧心，打隔", {"反酸", "嗳气"}),  # 打隔, 隔气: the common miswriting of 嗝
        ("有的时候手脚还会抽", {"抽搐"}),  # read nothing before
        ("近期大便不畅", {"便秘"}),
        ("每顿都吃不了几口饭", {"食欲不振"}),
        ("吃不了辣", set()),
        ("经常头晕，心颤", {"头晕", "心悸"}),  # was 震颤 (trembling)
        ("她突然间在饭桌上就昏倒了", {"晕厥"}),  # read nothing before; 晕厥 a concept of its own
        ("口里吐着白沫沫", {"口吐白沫"}),  # was 呕吐
        ("吐酸水吐刚吃进的东西，没什么胃口", {"反酸", "呕吐", "食欲不振"}),  # was the graph's 吐酸 alone
        ("吃晚饭不易吸收", {"消化不良"}),
        ("不爱饭！歇息不好！", {"食欲不振", "失眠"}),
        ("常常腿酸", {"肢体疼痛"}),
        ("头晕而且流汗厉害", {"头晕", "出汗"}),  # was 头晕 alone
        ("胃炎1年多睡午觉下来背部庝痛难忍", {"背痛"}),  # 庝, typed for 疼; read nothing beside 胃炎
        ("病发的抽动，吐白沫", {"抽搐", "口吐白沫"}),
        ("饭后胃胀，伴发出虚汗，寒颤", {"腹胀", "出汗", "寒战"}),  # 寒颤: 心悸 by meaning
        ("我全身的肌肉都在抽动", {"抽搐"}),  # read nothing before
        ("他有点全身都不太舒服", {"周身不适"}),  # read nothing before
        ("尽管每天排便很少，仍不感觉到饿", {"便秘", "食欲不振"}),  # read nothing before
        ("咽东西腋下偶尔隐痛", {"腋窝痛"}),  # was 隐痛: how it hurts, not where
        ("手部抽动，嘴部麻木", {"抽搐", "口唇麻木"}),  # was 麻木 alone
        ("现胃暖气，胃胀", {"嗳气", "腹胀"}),  # 暖气, typed for 嗳气
        ("冬天家里开着暖气", set()),
        ("经常有想大便的感觉，但是拉不出", {"里急后重", "便秘"}),  # was 便秘 alone
        ("晚饭后，胃部涨的特别厉害", {"腹胀"}),  # 涨, typed for 胀; read nothing before
        ("身体四肢都是硬邦邦", {"肢体僵硬感"}),  # read nothing before
        ("像傻了似的不断的抖动", {"震颤"}),  # read nothing before
        ("胃酸特别多，胃胀", {"反酸", "腹胀"}),  # was 腹胀 alone
        ("不吃抑止胃酸排泄的药就不行了", set()),  # a drug's doing, no complaint
        ("血压涨到160了", set()),
        ("宝宝因为发烫并伴发身体皮疹", {"发热", "皮疹"}),  # was 皮疹 alone
        ("脑瘫，也为此智力也不好", {"智力低下"}),  # read nothing before
        ("走路不到十分钟眼睛就黑了", {"眼前发黑"}),  # read nothing before
        ("为什么月经会推迟", {"月经推迟"}),  # was the broader 月经不调
        ("父亲年纪已经大了，他心率快", {"心悸"}),  # read nothing before
        ("就是口眼歪抽吐白", {"口眼歪斜"}),  # read nothing before
        ("常常突然失去意识、跌倒在地、四肢抽搐、口吐涎", {"昏迷", "抽搐", "口吐白沫"}),  # was 抽搐 alone
        ("一直没有意识到问题", set()),
        ("我只是觉着虚弱和头痛", {"乏力", "头痛"}),  # was 头痛 alone
        ("一病发就砸东西", {"攻击行为"}),  # read nothing before
        ("住院时打人血白蛋白", set()),
        ("大便查出血糖高", set()),  # was 便血: 大便…血 ended inside 血糖
        ("大便化验出血红蛋白", set()),  # was 便血: 大便…红 ended inside 血红蛋白
    ],
)
def test_what_adults_write_to_a_doctor_is_read(kg: KGRetriever, text: str, concepts: set[str]) -> None:
    """Phrasings from ``agent/data/real_questions_dev.tsv``, ``real_questions_dev2.tsv``,
    ``real_questions_dev3.tsv`` and ``real_questions_dev4.tsv`` (``scripts/self_report_accuracy.py``)."""
    assert read(kg, text) == concepts


def test_runny_nose_by_its_colour_is_a_runny_nose(kg: KGRetriever) -> None:
    assert kg.concepts.with_broader("流黄鼻涕") == ("流黄鼻涕", "流涕")
    assert kg.concepts.with_broader("流清涕") == ("流清涕", "流涕")
    assert kg.concepts.with_broader("夜间咳嗽") == ("夜间咳嗽", "咳嗽")


def test_an_aching_back_and_waist_is_both_a_back_and_a_waist_pain(kg: KGRetriever) -> None:
    """``real_questions_dev4.tsv``: 浑身乏力、腰酸背痛 read the graph's 腰酸背痛, which eight diseases list,
    as a concept of its own, unrelated to the 腰痛 and 背痛 a doctor reads there; it is narrower than both, so
    a disease that lists either counts it."""
    assert set(kg.concepts.with_broader("腰酸背痛")) == {"腰酸背痛", "腰痛", "背痛"}
    assert kg.concepts.concept_of("腰背酸痛") == "腰酸背痛"
    assert read(kg, "他说自己感觉浑身乏力、腰酸背痛") == {"乏力", "腰酸背痛"}
    assert read(kg, "腰疼得厉害，后背也疼") == {"腰痛", "背痛"}


def test_a_restless_crying_child_is_not_an_anxious_one(kg: KGRetriever) -> None:
    """The shared graph lists 烦躁不安 or 易激惹 for 208 diseases, 焦虑 or 紧张 for 152, both for 18: two
    concepts."""
    assert kg.concepts.concept_of("烦躁不安") != kg.concepts.concept_of("焦虑")
    assert kg.concepts.with_broader("哭闹") == ("哭闹", "烦躁不安")  # Dxy's doctors write 烦躁不安 for it
    assert read(kg, "孩子一直哭闹") == {"哭闹"}
    assert read(kg, "心里烦躁，坐立不安") == {"烦躁不安"}
    assert read(kg, "总是担心，心里紧张") == {"焦虑"}
