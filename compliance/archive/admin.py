"""The archive is not in Django's admin, not even read-only.

It is compliance's: compliance officers search, read and export it in the portal
(``compliance.archive.web.views``), where the access policy lets nobody else in. Django's admin is for
superusers, who are the bank's administrators: they run the organisation and have no business reading
what advisers and their clients said. Legal holds and exports are managed by compliance in the portal
too, where each change is archived.
"""
