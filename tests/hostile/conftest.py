"""The hostile-input tests use the public tests' questionnaire and agencies."""

from tests.public.conftest import survey

__all__ = ["survey"]
