"""The topics found in each free-text answer, kept so reports need not segment again."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from surveyapp.models.core import Base


class CommentTopic(Base):
    """The lexicon topics one comment mentions, for the lexicon it was analysed with.

    ``topics`` is the comma-separated topic keys ("" for none); a row whose
    ``lexicon`` is not the current lexicon's fingerprint is analysed again.
    """

    __tablename__ = "comment_topics"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_key: Mapped[str] = mapped_column(String(63), primary_key=True)
    lexicon: Mapped[str] = mapped_column(String(64))
    topics: Mapped[str] = mapped_column(String(255))
