import os

from django.core.wsgi import get_wsgi_application

from portal.checks import refuse_development_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

refuse_development_key()  # gunicorn and runserver: never serve with the development SECRET_KEY and DEBUG off
application = get_wsgi_application()
