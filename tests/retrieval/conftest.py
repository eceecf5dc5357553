"""Retrieval fixtures: the real offline embedding model (rebuilt once per session) and a small corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wenzhen.retrieval.config import RetrievalSettings

CORPUS = [
    ("hcc-immuno", "免疫检查点抑制剂可用于晚期肝细胞癌的治疗。阿替利珠单抗联合贝伐珠单抗是一线方案之一。"),
    ("hcc-screen", "肝癌高危人群应每六个月进行一次肝脏超声和甲胎蛋白检查，以便早期发现肝癌。"),
    ("cirrhosis-bleed", "肝硬化患者出现呕血或黑便，提示食管胃底静脉曲张破裂出血，需要立即急诊处理。"),
    ("hbv", "慢性乙型肝炎患者应长期服用恩替卡韦或替诺福韦等抗病毒药物，并定期复查肝功能和病毒载量。"),
    ("fatty-liver", "非酒精性脂肪肝与肥胖和糖尿病密切相关，减重和运动是主要的治疗方法。"),
    (
        "pubmed-en",
        "Ultrasound surveillance every six months improves early detection of hepatocellular carcinoma.",
    ),
]


def write_corpus(folder: Path, rows: list[tuple[str, str]] = CORPUS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "corpus.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": i, "text": t, "topic": i.split("-")[0]}, ensure_ascii=False) + "\n"
            for i, t in rows
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "sources")


@pytest.fixture
def settings(tmp_path: Path) -> RetrievalSettings:
    return RetrievalSettings(index_dir=tmp_path / "index")
