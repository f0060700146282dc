"""Comment analysis at scale: topics and personal-data scrubbing of 100,000 comments.

Usage (prints one JSON line; results in benchmarks/README.md):

    python benchmarks/comments.py [--comments 100000] [--seed 7]

Comments are synthetic but shaped like real ones: two to four clauses drawn from
praise, complaints (lateness, harassment, informal payments, rudeness, waiting,
paperwork) and requests to be called back with a phone number, ID, e-mail or dossier
number, with and without diacritics; every comment is distinct, so no cache helps.
Three passes in one process, each over the same comments:

- ``baseline``: the lexicon matched on syllables alone, without word segmentation
  (what segmentation costs);
- ``topics``: the shipped lexicon with underthesea's word segmentation, as reports do;
- ``scrub``: personal data removed from every comment, as every output does.

``peak_rss_mb`` is the process's peak resident memory after all passes.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis import comments, pii  # noqa: E402
from surveyapp.config import DEFAULT_COMMENT_LEXICON  # noqa: E402

CLAUSES = [
    "cán bộ nhiệt tình, hướng dẫn chu đáo",
    "thủ tục rườm rà, phải bổ sung hồ sơ {n} lần",
    "trả kết quả trễ hẹn {n} ngày mà không có thư xin lỗi",
    "cán bộ nhũng nhiễu, gây phiền hà",
    "bị đòi tiền bồi dưỡng {n}00 nghìn đồng",
    "phòng chờ chật chội, nóng bức, phải xếp hàng {n} tiếng",
    "nhân viên cáu gắt, thiếu tôn trọng người dân",
    "nộp trực tuyến trên cổng dịch vụ công rất thuận tiện",
    "không hề bị nhũng nhiễu hay gây khó khăn",
    "đã gửi phản ánh nhưng chưa được trả lời",
    "rất hài lòng, cảm ơn quầy số {n}",
    "can bo tre hen {n} ngay, nhung nhieu",
    "đề nghị gọi lại số 09{d8}",
    "liên hệ email nguoidan{n}@gmail.com",
    "CCCD 0792{d8}",
    "mã hồ sơ 000.00.27.H29-24{d4}-00{n}{n}",
]


def synthetic(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        picked = rng.sample(CLAUSES, rng.randint(2, 4))
        text = ". ".join(
            c.format(
                n=rng.randint(1, 9),
                d8=f"{rng.randrange(10**8):08d}",
                d4=f"{rng.randrange(10**4):04d}",
            )
            for c in picked
        )
        out.append(f"{text[0].upper()}{text[1:]} (#{i}).")
    return out


def _syllables_only(lexicon: comments.Lexicon) -> comments.Segmenter:
    def segment(text: str) -> list[str]:
        spaced = "".join(c if c.isalnum() or c.isspace() else f" {c} " for c in text)
        return spaced.split()

    return segment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    texts = synthetic(args.comments, args.seed)
    lexicon = comments.load_lexicon(DEFAULT_COMMENT_LEXICON)
    figures: dict[str, object] = {
        "comments": len(texts),
        "mean_chars": round(sum(map(len, texts)) / len(texts), 1),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }

    def timed(name: str, run: object) -> object:
        start = time.perf_counter()
        result = run()  # type: ignore[operator]
        seconds = time.perf_counter() - start
        figures[f"{name}_s"] = round(seconds, 2)
        figures[f"{name}_us_per_comment"] = round(1e6 * seconds / len(texts), 1)
        return result

    plain = _syllables_only(lexicon)
    timed(
        "baseline",
        lambda: comments.summarise(texts, lexicon, lambda t: comments.topics_of(t, lexicon, plain)),
    )
    segment = comments.underthesea_segmenter()
    segment("khởi động")  # the model loads once, outside the timing
    summary = timed(
        "topics",
        lambda: comments.summarise(
            texts, lexicon, lambda t: comments.topics_of(t, lexicon, segment)
        ),
    )
    found = timed("scrub", lambda: sum(any(pii.scrub_counted(t).found.values()) for t in texts))
    figures["with_personal_data"] = found
    figures["topic_counts"] = dict(summary.counts)  # type: ignore[attr-defined]
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
