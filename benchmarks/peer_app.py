"""The peer: ``django-survey-and-report`` serving a survey shaped like surveyapp's form.

``PEER_DB=/path/peer.sqlite gunicorn benchmarks.peer_app:application`` serves the
package's own views (``/survey/<id>/``: GET the one-page form, POST the answers with
Django's CSRF cookie and token; a stored response redirects to its confirmation page).
``PEER_DB=/path/peer.sqlite python benchmarks/peer_app.py setup`` migrates the database and
makes the survey: anonymous (no login), one page, ``ITEMS`` required 5-point radio questions and two
optional text questions, so a response stores ``ITEMS + 2`` answer rows as surveyapp's
SIPAS form stores 34. benchmarks/throughput.py drives it with ``wrk/peer.lua``.

Settings chosen to be fair to the peer (see benchmarks/README.md): SQLite in WAL with
``synchronous=NORMAL`` and ``BEGIN IMMEDIATE`` as surveyapp uses, one transaction per
request (``ATOMIC_REQUESTS``; the package's default autocommit would commit each answer
on its own), ``DEBUG`` off, no logging of requests.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import django
from django.conf import settings

#: Required 5-point items of the peer's survey (surveyapp's SIPAS form has 32 + overall).
ITEMS = 32

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="peer-benchmark-secret-0123456789-0123456789",  # noqa: S106 - throwaway
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.staticfiles",
            "survey",
        ],
        MIDDLEWARE=[
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.template.context_processors.request",
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                    ]
                },
            }
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": os.environ.get("PEER_DB", "/tmp/peer.sqlite"),  # noqa: S108
                "ATOMIC_REQUESTS": True,
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                    "transaction_mode": "IMMEDIATE",
                    "timeout": 5,
                },
            }
        },
        STATIC_URL="/static/",
        USE_TZ=True,
        LANGUAGE_CODE="en",
        DEFAULT_AUTO_FIELD="django.db.models.AutoField",
        LOGGING_CONFIG=None,
    )
    django.setup()

from django.urls import include, path  # noqa: E402 - needs the settings above

urlpatterns = [path("survey/", include("survey.urls"))]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()


def make_survey() -> int:
    """Migrate the database and create the benchmark survey; return its id."""
    from django.core.management import call_command
    from survey.models import Category, Question, Survey

    call_command("migrate", verbosity=0, interactive=False)
    survey = Survey.objects.create(
        name="Citizen satisfaction",
        description="Benchmark survey of the same shape as surveyapp's SIPAS form",
        is_published=True,
        need_logged_user=False,
        editable_answers=True,
        display_method=Survey.ALL_IN_ONE_PAGE,
    )
    category = Category.objects.create(name="Service", survey=survey, order=1)
    for number in range(1, ITEMS + 1):
        Question.objects.create(
            text=f"Item {number}: how satisfied are you?",
            order=number,
            required=True,
            survey=survey,
            category=category,
            type=Question.RADIO,
            choices="1,2,3,4,5",
        )
    for number in (1, 2):
        Question.objects.create(
            text=f"Comment {number}",
            order=ITEMS + number,
            required=False,
            survey=survey,
            category=category,
            type=Question.TEXT,
        )
    return int(survey.pk)


def stored_responses() -> tuple[int, int]:
    """Return (responses, answer rows) stored."""
    from survey.models import Answer, Response

    return Response.objects.count(), Answer.objects.count()


if __name__ == "__main__":
    # PEER_DB=FILE python benchmarks/peer_app.py setup|count
    if sys.argv[1:] == ["count"]:
        print(*stored_responses())
    else:
        Path(settings.DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        print(make_survey())
