import os

from django.core.wsgi import get_wsgi_application

from pdca.core.runtime import settle_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pdca.settings")
application = get_wsgi_application()
# Warmed up, and start-up's objects kept out of the garbage collector's way (see there).
settle_process()
