"""gunicorn settings for the fault tests: load the URLs once in the master before forking.

With --preload the app is imported before the workers fork; importing the URL map (every
view and the API schemas) here too spares each worker seconds on its first request.
"""


def when_ready(server):
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imported for its side effect
