import os

from django.core.asgi import get_asgi_application

from portal.checks import refuse_development_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

refuse_development_key()  # never serve with the development SECRET_KEY and DEBUG off
application = get_asgi_application()
