"""django-allauth's words that Relais's French catalogue corrects.

Our catalogue (``locale/``, first in ``LOCALE_PATHS``) wins over allauth's own for the same message. Listing
the messages here keeps ``makemessages`` from dropping them as obsolete, since no template of ours uses
them. allauth's French says "clé secrète" (a secret key) for a security key: our staff are told to use a
"clé de sécurité", and a secret is what they must never share.
"""

from django.utils.translation import gettext_noop

CORRECTED = (gettext_noop("Use a security key"),)
