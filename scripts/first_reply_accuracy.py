"""What the consultation does with a real patient's first message: inquire, or answer what was asked.

    WENZHEN_DATA_DIR=... python scripts/first_reply_accuracy.py agent/data/real_questions_aside.tsv [--show]
    WENZHEN_DATA_DIR=... python scripts/first_reply_accuracy.py dxy/train.jsonl --part all

A labelled file (``message<TAB>symptoms``, ``wenzhen.agent.labelled_messages``) says which
messages report a complaint (symptoms a doctor reads there) and which name none (``-``): they ask about a
disease the patient already has, a food or a drug (高血压可以吃莲子吗？). Each message opens a fresh
consultation on the configured graph and generator, and its first reply's kind is counted against the label:
a complaint should get a question (the inquiry, or a red flag's screening question) or an emergency reply; a
message with no complaint should get an answer (or, if it is not about health, a decline), never an inquiry.
Declines are counted apart too: a labelled message is about health, so a decline is a miss of its own.
Dxy's self-reports (parents describing a child's illness, each with the symptoms read there) are all
complaints. The generator is held to one token: the route is measured, not the answer's wording.
"""

from __future__ import annotations

from collections import Counter

from wenzhen.agent.config import AgentSettings
from wenzhen.agent.consultant import Consultant
from wenzhen.agent.labelled_messages import parse_command_line

INQUIRING = ("question", "emergency")


def main() -> None:
    args, reports = parse_command_line(__doc__ or "")
    counts: Counter[tuple[str, str]] = Counter()
    with Consultant.from_config(AgentSettings(max_new_tokens=1)) as consultant:
        for report in reports:
            session = consultant.start_session()
            reply = consultant.reply(session, report.text)
            consultant.delete_session(session)
            label = "complaint" if report.symptoms else "no complaint"
            as_labelled = (reply.kind in INQUIRING) == bool(report.symptoms)
            counts[label, "right" if as_labelled else "wrong"] += 1
            counts[label, "declined"] += reply.kind == "declined"
            if args.show and not as_labelled:
                first_line = reply.text.strip().splitlines()[0] if reply.text.strip() else ""
                print(f"{label}: {reply.kind} {first_line[:40]}\t{report.text.strip()}")
    for label, routed in (("complaint", "inquired"), ("no complaint", "answered")):
        right, total = counts[label, "right"], counts[label, "right"] + counts[label, "wrong"]
        share, declined = right / max(total, 1), counts[label, "declined"]
        print(f"{label}: {total} messages, {routed} {right} ({share:.3f}), declined {declined}")


if __name__ == "__main__":
    main()
