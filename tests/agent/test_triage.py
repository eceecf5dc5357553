"""Red-flag triage: the packaged rules on labelled presentations (in the rules' words, and the development
set written as patients and families speak), negation, the past and suppositions, levels, the conversation,
screening questions, English, and the rules page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wenzhen.agent.evaluation import evaluate_triage, read_triage_cases
from wenzhen.agent.graph import patient_statements
from wenzhen.agent.triage import Triage, meaning_layer, without_past_clauses
from wenzhen.retrieval.config import RetrievalSettings
from wenzhen.retrieval.patterns import fold

DATA = Path(__file__).parents[2] / "agent" / "data"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "eval"


@pytest.fixture(scope="module")
def triage() -> Triage:
    return Triage.load()


def assert_emergencies(triage: Triage, *messages: str) -> None:
    """Each message alone gets the call-120 reply (an emergency that is not over: ``over`` is None)."""
    for said in messages:
        found = triage.check(said)
        assert found is not None and found.level == "emergency" and found.over is None, said


def test_the_rules_own_words_are_caught_by_their_rule(triage: Triage) -> None:
    cases = read_triage_cases(DATA / "triage_cases.jsonl")
    report = evaluate_triage(triage, cases)
    assert report.emergencies >= 30 and report.ordinary >= 20
    assert report.misses == [] and report.alarms == []
    for case in cases:
        if case.emergency:
            result = triage.check(case.messages)
            assert result is not None and result.rule.id == case.rule, case.text


def test_everyday_presentations_are_caught_by_the_rules_without_false_alarms(triage: Triage) -> None:
    report = evaluate_triage(triage, read_triage_cases(DATA / "triage_dev.jsonl"))
    assert report.emergencies >= 250 and report.ordinary >= 200 and report.urgent >= 15
    assert report.misses == [] and report.alarms == [] and report.urgent_misses == []


@pytest.fixture(scope="module")
def with_meaning(embedder: Any) -> Triage:
    return Triage.load(meaning=meaning_layer(RetrievalSettings(), embedder))


def test_the_kept_aside_presentations_need_the_meaning_layer(triage: Triage, with_meaning: Triage) -> None:
    cases = read_triage_cases(DATA / "triage_aside.jsonl")
    rules_only, both = evaluate_triage(triage, cases), evaluate_triage(with_meaning, cases)
    assert rules_only.misses and rules_only.alarms == []  # new phrasings slip past the words of the rules
    assert both.emergencies >= 30 and both.misses == [] and both.false_alarms <= 1


def test_the_meaning_layer_names_a_red_flag_no_rule_foresaw(triage: Triage, with_meaning: Triage) -> None:
    message = "厨房切菜切到大拇指，伤口很深，血哗哗地流，止都止不住"
    assert triage.check(message) is None
    result = with_meaning.check(message)
    assert result is not None and result.level == "emergency" and result.rule.id == "massive_bleeding"
    assert "血哗哗地流" in result.reply_text() and "按压" in result.reply_text()
    assert with_meaning.check("以前想过不活了，现在好多了") is None  # the past is not read here either
    assert with_meaning.check("我最近右上腹隐痛，还乏力") is None


def test_a_relative_telling_an_ordinary_complaint_is_no_emergency(with_meaning: Triage) -> None:
    assert with_meaning.check("我爸这几天皮肤发黄，总说没劲，右上腹隐隐作痛") is None  # was: heart attack
    assert with_meaning.check("我妈老是觉得累，脸色发黄，吃饭也不香") is None
    stroke = with_meaning.check("我爸刚才说话突然含糊了，一边嘴角往下耷拉")  # a relative's emergency still is
    assert stroke is not None and stroke.level == "emergency"


def test_an_emergency_reply_names_the_red_flag_and_what_to_do(triage: Triage) -> None:
    result = triage.check("我爸突然嘴歪了，说话也不清楚")
    assert result is not None and result.level == "emergency" and result.rule.id == "stroke_signs"
    text = result.reply_text()
    assert "120" in text and "急诊" in text and result.rule.name in text and "嘴歪" in text
    assert "现在请：" in text and "请不要：" in text and "不要喂水" in text
    assert "emergency" not in text  # Chinese only, for a Chinese message


def test_english_and_mixed_messages_get_the_reply_in_english_too(triage: Triage) -> None:
    result = triage.check("my father can't breathe, his lips are blue and he collapsed")
    assert result is not None and result.level == "emergency" and result.english
    assert "Call an ambulance now" in result.reply_text() and "120" in result.reply_text()
    assert not triage.check("做了CT和MRI，结果说胸口有点闷").english  # type: ignore[union-attr]


def test_negation_the_past_habits_and_suppositions_do_not_fire(triage: Triage) -> None:
    assert triage.check("没有胸痛，也没有出冷汗") is None
    assert triage.check("痔疮，大便时喷血") is None  # `unless` of massive_bleeding
    assert triage.check("大便时喷血") is not None
    assert triage.check("以前晕倒过一次，查了没事") is None
    assert triage.check("癫痫病人每次发作的时候都会口吐白沫，四肢抽搐几分钟") is None
    assert triage.check("如果肝硬化吐血了怎么办") is None
    assert triage.check("以前晕倒过一次，今天又晕倒了") is not None  # today's clause still counts
    assert triage.check("妈妈晚上跟弟弟吵嘴，一下高血压犯了，气的差点昏倒") is None  # nearly fainted (CMD)
    assert triage.check("我18岁时候检查出的癫痫，一犯病时候头就剧烈的疼") is None  # when it flares up (CMD)
    assert without_past_clauses("以前晕倒过，今天又晕倒了", ["以前"], ["今天"]).endswith("今天又晕倒了")


def test_a_term_does_not_end_inside_a_longer_word(triage: Triage) -> None:
    """A real question (``real_questions_dev4.tsv``): 被查出来有高血压 … 可以怀孕吗 had matched 出*血 and
    been told to call 120 for bleeding in pregnancy; a pregnant woman's 查出血压高 or 血糖高 is no bleeding
    either."""
    assert triage.check("医生我老公30多岁，但被查出来有高血压，您好老公高血压可以怀孕吗？") is None
    assert triage.check("怀孕三个月，上个月查出血压高") is None
    assert triage.check("孕32周，检查出血糖高") is None
    bleeding = triage.check("怀孕三个月，今天下面出血了")
    assert bleeding is not None and bleeding.rule.id == "pregnancy_emergency"


def test_a_known_illness_a_memory_and_a_continuing_complaint_are_no_emergency(triage: Triage) -> None:
    """Unlabelled real questions (CMD, none of the labelled samples) that had a call-120 reply: a child's
    diagnosis named (孩子…羊癫疯), a schoolmate's fit remembered (有次), and 不断 (on and on) read as a
    severed hand (手…断)."""
    assert triage.check("孩子得了羊癫疯，平时要注意什么？") is None
    assert triage.check("我还依稀记得我的个小学同学，有次补课上到一半儿突然晕倒，四肢抽搐，口呕血沫") is None
    assert triage.check("这两天手脚不断地发抖") is None
    reminded = triage.check("医生让我们记得按时给他吃药，我爸突然口吐白沫，抽了五分钟还停不下来")
    assert reminded is not None and reminded.rule.id == "seizure"  # 记得 (remember to) is no memory
    fit = triage.check("孩子羊癫疯又犯了，抽个不停")
    assert fit is not None and fit.rule.id == "seizure"
    severed = triage.check("手指被机器压断了")
    assert severed is not None and severed.rule.id == "massive_bleeding"


def test_a_wish_to_die_is_a_risk_however_it_is_told(triage: Triage) -> None:
    """Real questions (CMD) whose wish to die sat in a clause about a habit (经常), a feeling at times
    (有时候) or a supposition (会不会) and so went unflagged; a past fit in such a clause stays history."""
    for told in (
        "最近做什么事都没心思不想和朋友交流。经常有轻生的念想有胃病但就是吃不下饭怎么办？",
        "自从得了乙肝大三阳，有时候都怀疑自己是不是抑郁了，这大三阳到底能不能康复呢，不想过这样的生活了",
        "会不会传染乙肝啊，极度恐慌，不专业的就不要解释我了，以免我忍受不了压力跳楼自杀",
        "以前割过腕",
    ):
        found = triage.check(told)
        assert found is not None and found.rule.id == "suicide_risk", told
    assert triage.check("有一次过年喝啤酒，突然晕倒了，送往医院，结果是脑梗塞") is None


def test_no_piece_of_a_term_cuts_a_word_or_a_number(triage: Triage) -> None:
    """Real questions (CMD) that had a call-120 reply: a term's 血 was the 血 of 血压, its 84 (消毒液) part of
    a blood sugar of 284, its 酒精 the 酒精 of 酒精性, its 触电 part of 电焊机. Each fires when meant."""
    spiked = triage.check("奶奶患高血压病十多年了，比较近这几天不知道怎么了血压又飙到180")
    assert spiked is not None and spiked.rule.id == "very_high_blood_pressure"  # a pressure, no bleeding
    for said in (
        "奶奶的糖尿病最近很严重。她的血糖高达284。",
        "老公是酒精性肝硬化，想问下，对于酒精性肝硬化患者来说，吃什么比较好？",
        "哥哥因为工作原因，总是碰触电焊机等东西，经常被火花伤到眼睛",
    ):
        assert triage.check(said) is None, said
    for said, rule in (
        ("伤口的血往外飙", "massive_bleeding"),
        ("孩子喝了84消毒液", "chemical_ingestion"),
        ("孩子刚才喝了一口酒精", "chemical_ingestion"),
        ("刚才在工地触电了", "electric_drowning"),
    ):
        found = triage.check(said)
        assert found is not None and found.rule.id == rule, said


def test_medicines_tried_or_prescribed_are_no_overdose(triage: Triage) -> None:
    """Real questions (CMD) that had a call-120 reply for an overdose: medicines tried (西药中药都吃了,
    所有胃药基本都吃过), prescribed (医生开了一堆药) or stopped (停止了所有药物)."""
    for said in (
        "慢性浅表性胃炎，中药西药都吃了就是没效果",
        "一直在吃西药,所有胃药基本都吃过,但为什么没转好?",
        "医生给我开了一堆药，让我每天吃药测血糖",
        "医生说我有可能患药物性肝硬化，于是便停止了所有药物的治疗",
    ):
        assert triage.check(said) is None, said
    for said in ("我把家里所有的药都吃了，现在很困", "他一口气吃了好多片药", "奶奶把一整瓶降糖药当糖丸吃了"):
        found = triage.check(said)
        assert found is not None and found.rule.id == "overdose", said


def test_a_tongue_bitten_in_a_fit_is_no_bite_to_be_allergic_to(triage: Triage) -> None:
    """A real question (CMD) describing a fit (…意识不清，咬舌头) was given the anaphylaxis reply (an
    adrenaline pen); a bite is 被…咬 or a creature's."""
    fit = triage.check("高声惊叫，全身抽动，口吐白沫，双目上翻，意识不清，咬舌头")
    assert fit is not None and fit.rule.id != "anaphylaxis"
    for said in ("婆婆被狗咬后没多久就呼吸困难，浑身起疹子", "蜘蛛咬了一口，现在喘不上气"):
        bite = triage.check(said)
        assert bite is not None and bite.rule.id == "anaphylaxis", said


def test_an_emergency_a_doctor_has_since_seen_is_a_notice_and_the_question_is_answered(
    triage: Triage,
) -> None:
    """Real questions (CMD): 33 of the 156 that had a call-120 reply told an event a doctor had since seen
    (…送到医院，医生说是癫痫) and asked about the illness, which went unanswered. Now they get a notice to act
    at once if it happens again (urgent: the consultation goes on)."""
    told = triage.check(
        "我的亲戚是个孤寡老人，今天早上他突然倒在地上，手脚抽搐，口吐白沫，我们赶紧把他带到了医院，医生仔细检查"
        "说他得了癫痫，在这我想咨询一下"
    )
    assert told is not None and told.over == "seen" and told.level == "urgent"
    assert told.rule.level == "emergency"
    assert "如果再次出现，请立即拨打 120" in told.reply_text() and "再次出现时请：" in told.reply_text()
    assert triage.result(told.to_dict()) == told  # kept in the session state as it was
    assert_emergencies(
        triage,
        "我爸突然嘴歪了，说话不清楚，要不要送到医院？",  # asks: not seen
        "今天侄女突然手脚抽搐，口吐白沫，我们想尽快送孩子去医治",  # plans
        "我爸晕倒了，叫不醒，正在送医院的路上",  # on the way
        "我爸突然口吐白沫，抽了五分钟还停不下来，已经打了120，在等救护车",  # what to do while waiting matters
        "医生说是胃炎，现在又吐了好多血",  # after what the doctor said
        "在本地医院住院治疗7天，昨天刚出院，但是晚上突然呼吸急促",
    )
    infant = triage.check("宝宝现在三个月大，总是发高烧，当地医生说可能是白血病，叫我们到上级医院去检查")
    assert infant is not None and infant.rule.id == "infant_fever" and infant.over is None  # urgent: told
    kept_before = {"rule": "seizure", "matched": ["抽搐"], "english": False, "seen": True}  # before "over"
    assert triage.result(kept_before).over == "seen"


def test_a_seen_clause_is_read_in_long_run_on_questions_and_in_clauses_about_the_past(triage: Triage) -> None:
    """Real questions (CMD) that kept a call-120 reply though they told a doctor had seen it: the question
    asked later in the same run-on clause (…医生说是癫痫您好癫痫病如何才能自愈), or in the next sentence, was
    read as asking whether to go; the clause telling it began with 当时, a cue of the past."""
    for told in (
        "到闺蜜家玩的时她女儿现在四岁半他孩子突然倒口吐白四肢抽如何喊叫都无法应于是带到医院仔细检医生说是癫痫"
        "您好癫痫病如何才能自愈呢？",
        "昨天晚上睡觉时儿子突然四肢抽眼往上，持继几分钟时停止下来后就带儿子在本地的医院做了仔细检医生说是儿童"
        "深度睡眠型癫痫。儿童深度睡眠型癫痫白天会不会复发？",
        "我女儿今年五岁多，突然晕倒了之后，手脚抽经，口吐白沫，赶紧把他送去医院被诊断了癫痫怎么办呢?",
        "前几天和我上班的时候突然癫痫发作，整个人倒在地上，四肢抽搐。当时我们紧急叫来救护车送她去医院，医生说"
        "他是癫痫发作",
        "前些天突然晕倒，全身抽动口吐白沫。神志不清。医院仔细检查得了癫痫。",
        "我的同桌今天在上着课的时候突然晕倒在地，四肢抽搐，口吐白沫，后来才知道她是患了癫痫病",
    ):
        found = triage.check(told)
        assert found is not None and found.over == "seen", told
    assert_emergencies(
        triage,
        "突然晕倒了，要不要马上送医院",
        "他突然倒地抽搐，现在送医院了吗？",
        "我爸晕倒了叫不醒我们想送他去哪家医院",
    )


def test_real_questions_that_had_a_call_120_reply_keep_it_only_for_an_emergency(triage: Triage) -> None:
    """The 123 real questions (CMD) to which stop 40's rules gave a call-120 reply, labelled: 32
    emergencies, 51 urgent, 40 routine. Every emergency keeps it; 55 of the other 91 still get it (was 91)."""
    report = evaluate_triage(triage, read_triage_cases(DATA / "real_triage_cmd.jsonl"))
    assert (report.emergencies, report.ordinary, report.urgent) == (32, 91, 51)
    assert report.misses == [] and report.urgent_misses == [] and report.false_alarms <= 55


def test_a_fit_without_the_signs_of_an_emergency_is_told_to_see_a_doctor_today(triage: Triage) -> None:
    """Real questions (CMD): a fit with none of the signs that make it an emergency (a first one, a child, one
    that will not stop) had no reply at all, though a fit needs a doctor. Told as a habit, or seen by a doctor
    since, it needs no notice."""
    for told in (
        "今天我老公回家的时候身体一直抽动，而且脸色苍白，我很担心他得了癫痫病",
        "我家里有个表姐今年29岁了，昨天在吃晚饭的时候，不知晓为什么突然抽搐起来了，还吐了白沫",
    ):
        found = triage.check(told)
        assert found is not None and found.rule.id == "seizure_told" and found.level == "urgent", told
        assert "今天" in found.reply_text() and "120" in found.reply_text()
    for settled in (
        "医生你有癫痫有时候复发会发又有的时候会浑身抽很痛。该怎样治疗癫痫病综合症呢？",  # a habit
        "前段时间出现了身体抽动，口吐白沫的状况，到医院去做了仔细检查，诊断是得了癫痫病，一直在治疗",
        "小腿抽筋怎么办",
    ):
        assert triage.check(settled) is None, settled


def test_real_questions_without_a_call_120_reply_that_need_a_doctor_today_get_a_notice(
    with_meaning: Triage,
) -> None:
    """120 real questions (CMD) drawn from the 807 that mention a fit, a faint, blood, breathlessness … and
    had no call-120 reply, labelled: 9 need a doctor today (a fit of yesterday, a blood pressure of 260, fits
    coming more often). Stop 40 sent 1 of the 9 to a doctor and gave 9 of the others a call-120 reply."""
    cases = read_triage_cases(DATA / "real_triage_cmd_unflagged.jsonl")
    report = evaluate_triage(with_meaning, cases)
    assert (report.ordinary, report.urgent) == (120, 9)
    # the meaning layer: 1/120 on the engine's vectors (a consultation's default, `wenzhen eval triage`), 2 on
    # the model's (this fixture's): 偶尔会再次发生间歇性抽动 too
    assert report.urgent_caught >= 3 and report.false_alarms <= 2


def test_a_blood_pressure_of_180_or_more_is_urgent_and_with_danger_signs_an_emergency(triage: Triage) -> None:
    """Real questions (CMD): a blood pressure of 180 to 260 had no reply at all (高血压260有生命危险吗)."""
    for said in (
        "前几天和我爷爷去测定高血压的时候，发觉居然达到230了，高血压230有什么危险？",
        "量血压在180-100之间",
    ):
        found = triage.check(said)
        assert found is not None and found.rule.id == "very_high_blood_pressure" and found.level == "urgent"
    danger = triage.check("同事说他不舒服，胸闷，后来去药店量血压180120，高血压180120危险吗？")
    assert danger is not None and danger.rule.id == "hypertensive_emergency" and danger.level == "emergency"
    assert "不要自行加量吃降压药" in danger.reply_text()
    for ordinary in ("血压150/100，头有点晕", "以前血压到过190，现在吃药控制在130", "体重180斤，血压正常"):
        assert triage.check(ordinary) is None, ordinary


def test_a_number_range_in_a_rule_term_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "x"\nname = "x"\nname_en = "x"\nall = [["血压*{#300-100}"]]\n', "utf-8")
    with pytest.raises(ValueError, match=r"rule x: \{#300-100\}: a range of 1 to 1000 whole numbers"):
        Triage.load(path)


def test_a_fit_or_a_faint_of_the_last_days_is_a_notice_to_see_a_doctor_today(triage: Triage) -> None:
    """Real questions (CMD): a fit or a faint told of the last days, now over, asking what it is, had the
    call-120 reply; first aid has 120 called during it, and a doctor seen after it. Now: see a doctor today,
    call 120 if it happens again; the question is answered. A fit going on or back, or a stroke's signs
    (they last), are still emergencies."""
    for over in (
        "老公得了癫痫，一点儿预兆都没有。前两天家里聚餐，他就突然摔在地上，全身抽动。引致癫痫病的原因主要有什么？",
        "我家孩子一直都挺好的。可是她昨天突然出现口吐白沫，抽动的情况，应该是得了癫痫，哪个医院好？",
        "二姑姑患高血压，在前天大家一同吃晚饭的时候，她突然间在饭桌上就昏倒了，高血压该怎么治疗呢？",
    ):
        found = triage.check(over)
        assert found is not None and found.over == "recent" and found.level == "urgent", over
        assert "请今天就到医院" in found.reply_text() and "如果再次出现，请立即拨打 120" in found.reply_text()
    mixed = triage.check("我儿子昨天突然晕倒了，he fainted at school, what could cause it")
    assert mixed is not None and mixed.over == "recent" and "It has passed" in mixed.reply_text()
    assert_emergencies(
        triage,
        "昨天晕倒了，现在还叫不醒",
        "前两天抽过一次，今天又抽搐了，五分钟还停不下来",
        "我爸昨天嘴歪了，说话不清楚",
        "宝宝昨天晚上开始发烧，刚才突然抽搐，翻白眼",
    )


def test_how_bad_it_gets_at_times_is_asked_about_not_called_an_emergency(triage: Triage) -> None:
    """A real question (agent/data/real_questions_dev.tsv): coughing fits that take the breath away at their
    worst are a pattern; whether she is breathless now is asked first."""
    bouts = triage.check("老是听见她咳，一咳就停不下来，严重的时候都喘不过气来了，我怀疑她是哮喘")
    assert bouts is not None and bouts.level == "screen"
    now = triage.check("我妈现在喘不过气，很严重")
    assert now is not None and now.level == "emergency"
    again = triage.check("严重的时候喘不过气，现在又喘不过气了，嘴唇发紫")
    assert again is not None and again.level == "emergency"


def test_text_is_folded_before_matching(triage: Triage) -> None:
    assert fold("被蜂蛰了 ＣＨＥＳＴ Pain") == "被蜂蜇了 chest pain"
    result = triage.check("被马蜂蛰了，嗓子发紧喘不上气")
    assert result is not None and result.rule.id == "anaphylaxis"


def test_red_flags_spread_over_the_conversation_are_caught(triage: Triage) -> None:
    assert triage.check(["我爸胸口痛"]).level == "screen"  # type: ignore[union-attr]
    result = triage.check(["我爸胸口痛", "这会儿开始出冷汗了"])
    assert result is not None and result.level == "emergency" and result.rule.id == "chest_pain_danger"


def test_urgent_and_screen_levels(triage: Triage) -> None:
    urgent = triage.check("两个月的宝宝发烧38度5")
    assert urgent is not None and urgent.level == "urgent" and "今天" in urgent.reply_text()
    screen = triage.check("孕期肚子有点疼")
    assert screen is not None and screen.level == "screen" and "流血" in screen.reply_text()
    escalated = triage.escalate(screen)
    assert escalated.level == "emergency" and "120" in escalated.reply_text()


def test_groups_take_knowledge_graph_symptoms_containing_their_substrings() -> None:
    assert Triage.load().check("昨晚开始呕吐不止") is None
    widened = Triage.load(symptoms=["呕血不止", "乏力"])
    result = widened.check("昨晚开始呕血不止")
    assert (
        result is not None and "呕血不止" in next(r for r in widened.rules if r.id == "hematemesis").groups[0]
    )


def test_a_malformed_rule_file_names_the_file_and_rule(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\nid = "x"\nname = "X"\nall = [["a"]]\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules.toml: rule 1: missing name_en"):
        Triage.load(path)
    path.write_text('[[rule]]\nid = "x"\nname = "X"\nname_en = "x"\nlevel = "soon"\nall = [["a"]]\n')
    with pytest.raises(ValueError, match=r"rule x: level 'soon' is not one of emergency, urgent, screen"):
        Triage.load(path)
    path.write_text('[[rule]]\nid = "x"\nname = "X"\nname_en = "x"\nlevel = "screen"\nall = [["a"]]\n')
    with pytest.raises(ValueError, match=r"rule x: a screen rule needs the question to ask"):
        Triage.load(path)
    path.write_text('[[rule]]\nid = "x"\nname = "X"\nname_en = "x"\nany_time = "yes"\nall = [["a"]]\n')
    with pytest.raises(ValueError, match=r"rule x: any_time is true or false, not 'yes'"):
        Triage.load(path)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the checkout")
def test_ordinary_disc_questions_rarely_get_an_emergency_reply(triage: Triage) -> None:
    cmid = evaluate_triage(triage, read_triage_cases(SHARED / "disc_cmid" / "cmid_samples.json"))
    assert cmid.ordinary == 120 and cmid.alarms == []
    cmd = evaluate_triage(triage, read_triage_cases(SHARED / "disc_cmd" / "cmd_samples.json"))
    assert cmd.ordinary == 120 and cmd.false_alarms <= 1  # ≤ 1%: 此次出现吐血症状, vomiting blood


def test_the_rules_page_lists_every_rule(triage: Triage) -> None:
    page = (Path(__file__).parents[2] / "docs" / "TRIAGE.md").read_text(encoding="utf-8")
    for rule in triage.rules:
        assert f"| `{rule.id}` | {rule.level} | {rule.name} |" in page, rule.id


def test_a_bare_yes_to_a_follow_up_question_counts(triage: Triage) -> None:
    state: dict[str, Any] = {
        "history": [
            {"role": "user", "content": "我爸肝硬化，最近没胃口"},
            {"role": "user", "content": "有的"},
        ],
        "message": "有的",
        "pending": {"kind": "symptom", "target": "呕血"},
        "observations": [{"kind": "answered", "symptom": "乏力", "present": True}],
    }
    said = patient_statements(state)  # type: ignore[arg-type]
    assert said[-2:] == ["有乏力", "有呕血"]
    result = triage.check(said)
    assert result is not None and result.rule.id == "hematemesis"
    assert triage.check(patient_statements({**state, "message": "没有"})) is None  # type: ignore[typeddict-item]
