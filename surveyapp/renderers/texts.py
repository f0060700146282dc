"""Fixed wording of documents: labels and the methodology notes (Vietnamese, English)."""

from __future__ import annotations

from surveyapp.renderers.numbers import DASH, num

CHANNEL_LABELS = {
    "web": "Trang web · Web form",
    "embed": "Nhúng trên trang cơ quan · Embedded form",
    "api": "Ki-ốt, ứng dụng · Kiosk/API",
    "paper": "Phiếu giấy · Paper",
}


def period_text(first: object, last: object) -> str:
    if first is None or last is None:
        return "không có dữ liệu · no data"
    return f"{first} {DASH} {last}"


def methodology(min_n: float, weighted: bool, timezone: str) -> list[tuple[str, str]]:
    """Return (heading, text) pairs explaining every figure of the reports."""
    return [
        (
            "Định nghĩa · Definitions",
            "Hài lòng = trả lời 4 hoặc 5 trên thang 5 bậc (hài lòng, rất hài lòng). "
            "Chỉ số hài lòng (SIPAS) = trung bình theo các tiêu chí của tỷ lệ % hài lòng. "
            "Câu trả lời 'không áp dụng' và câu bỏ trống không được tính. "
            "Satisfied = answer 4 or 5 on the 5-point scale. The SIPAS satisfaction index is "
            "the mean over dimensions of the dimension's % satisfied (0-100). 'Not applicable' "
            "and unanswered items are counted but never analysed.",
        ),
        (
            "Khoảng tin cậy · Intervals",
            "Mọi khoảng là khoảng tin cậy 95%: Wilson cho tỷ lệ, t cho trung bình, phương pháp "
            "delta cho chỉ số và trung bình tiêu chí, Feldt cho hệ số Cronbach alpha. Thứ hạng "
            "có khoảng (mô phỏng từ sai số chuẩn của chỉ số). "
            "All intervals are 95% confidence intervals: Wilson for proportions, t for means, "
            "the delta method for the index and dimension scores, Feldt for Cronbach's alpha. "
            "Ranks carry an interval from simulation of the index's sampling error.",
        ),
        (
            "Quy tắc cỡ mẫu nhỏ · Small-sample rule",
            f"Kết quả dựa trên ít hơn {num(min_n, 0)} người trả lời được đánh dấu "
            "'⚠ cỡ mẫu nhỏ' và không nên dùng để so sánh. "
            f"Results resting on fewer than {num(min_n, 0)} respondents are marked "
            "'⚠ small sample' and should not be used for comparison.",
        ),
        (
            "Trọng số · Weighting",
            (
                "Ước lượng có trọng số (nếu có) được hiệu chỉnh theo cơ cấu dân số của bảng hỏi; "
                "các số liệu chính không dùng trọng số. Weighted estimates, where shown, are "
                "raked to the questionnaire's population targets; headline figures are "
                "unweighted."
            )
            if weighted
            else (
                "Bảng hỏi không quy định trọng số: mọi số liệu là không trọng số. "
                "The questionnaire defines no weighting: every figure is unweighted."
            ),
        ),
        (
            "Phạm vi · Scope",
            f"Ngày theo giờ địa phương ({timezone}), tính cả hai đầu. Chỉ các phiếu đã chấp "
            "nhận; phiếu bị cách ly hoặc đã xóa không bao giờ được tính. Một báo cáo dùng một "
            f"phiên bản bảng hỏi. Local days ({timezone}), both ends inclusive. Accepted "
            "responses only: quarantined or deleted responses never count. A report covers "
            "one questionnaire version.",
        ),
    ]
