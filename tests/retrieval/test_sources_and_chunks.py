"""Sources (text, Markdown, PDF, JSON/JSONL, presets) and chunking, with their problems reported."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from fpdf import FPDF

from wenzhen.core.issues import Issue
from wenzhen.retrieval.chunking import Chunker
from wenzhen.retrieval.documents import PRESETS, JsonMapping, SourceDocument, read_sources

SHARED_LITERATURE = Path(__file__).resolve().parents[3] / "shared" / "data" / "literature"


def split(items: list[SourceDocument | Issue]) -> tuple[list[SourceDocument], list[Issue]]:
    return [i for i in items if isinstance(i, SourceDocument)], [i for i in items if isinstance(i, Issue)]


def test_files_and_folders_with_problems_named(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# 肝癌\n\n肝癌是常见的恶性肿瘤。", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("乙肝病毒感染是肝癌的主要病因。".encode("gb18030"))
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp_path / "garbage.txt").write_bytes(b"\xff\xfe\x00\x81\xff" * 10)
    (tmp_path / "records.jsonl").write_text(
        '{"abstract": "HCC surveillance.", "pmid": "1"}\n{"pmid": "2"}\n'
        '{"abstract": "", "pmid": "3"}\nnot json\n',
        encoding="utf-8",
    )
    pdf = FPDF()
    for text in ("Page one: hepatocellular carcinoma.", "Page two: cirrhosis."):
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(text=text)
    pdf.output(str(tmp_path / "paper.pdf"))
    docs, issues = split(list(read_sources([tmp_path], JsonMapping(text=("abstract",), id="pmid").read)))
    by_source = {(Path(d.source).name, d.position): d for d in docs}
    assert by_source[("a.md", 0)].text.startswith("# 肝癌")
    assert by_source[("b.txt", 0)].text == "乙肝病毒感染是肝癌的主要病因。"
    assert (
        by_source[("paper.pdf", 2)].metadata == {"page": 2}
        and "cirrhosis" in by_source[("paper.pdf", 2)].text
    )
    assert [d.doc_id for d in docs if d.source.endswith("records.jsonl")] == ["1"]
    problems = {(Path(i.source).name, i.line): i for i in issues}
    assert "empty text" in problems[("empty.txt", 0)].reason
    assert "unreadable PDF" in problems[("broken.pdf", 0)].reason
    assert "not UTF-8 nor GB18030" in problems[("garbage.txt", 0)].reason
    assert (
        problems[("records.jsonl", 2)].field == "abstract"
        and "missing" in problems[("records.jsonl", 2)].reason
    )
    assert "empty text" in problems[("records.jsonl", 3)].reason
    assert "malformed JSON" in problems[("records.jsonl", 4)].reason


def test_presets_read_the_shared_formats() -> None:
    huatuo, _ = split(list(read_sources([SHARED_LITERATURE / "huatuo_liver_cancer.json"], PRESETS["huatuo"])))
    assert len(huatuo) == 1000 and huatuo[0].text.startswith("问：") and "\n答：" in huatuo[0].text
    pqal, _ = split(list(read_sources([SHARED_LITERATURE / "pubmedqa_pqal.json"], PRESETS["pubmedqa"])))
    assert len(pqal) == 1000 and pqal[0].doc_id.isdigit()
    cmd, _ = split(list(read_sources([SHARED_LITERATURE / "cmd_internal_medicine.jsonl"], PRESETS["cmd"])))
    assert cmd[0].metadata["department"] and len(cmd) > 7000


def test_chunks_respect_the_token_bound_end_at_sentences_and_have_stable_ids(embedder: Any) -> None:
    sentence = "肝细胞癌是最常见的原发性肝癌，多发生在慢性肝病的基础上。"
    document = SourceDocument("doc-1", sentence * 30, "doc-1.txt")
    chunker = Chunker(embedder.tokenizer, max_tokens=64, overlap_tokens=32)
    chunks = chunker.split(document)
    assert len(chunks) > 5
    for chunk in chunks:
        assert len(embedder.tokenizer.encode(chunk.text, add_special_tokens=False)) <= 64
        assert chunk.text.endswith("。")
        assert document.text[chunk.start : chunk.start + len(chunk.text)] == chunk.text
    assert chunks[1].start < chunks[0].start + len(chunks[0].text)  # overlap
    assert [c.chunk_id for c in chunker.split(document)] == [c.chunk_id for c in chunks]
    assert len({c.chunk_id for c in chunks}) == len(chunks)
    edited = replace(chunks[0], chunk_id="other", text=chunks[0].text.replace("肝", "胆"))
    assert edited.content_hash != chunks[0].content_hash
    padded = replace(chunks[0], chunk_id="other", text=f"  {chunks[0].text}\n\n")
    assert padded.content_hash == chunks[0].content_hash  # surrounding whitespace is not new content
