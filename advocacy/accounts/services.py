"""What ``advocacy.accounts.services`` held before it was split along its seams (issue 11):
invitations are in ``advocacy.accounts.invitations``, applying a roster file in
``advocacy.accounts.roster_import``, an uploaded file's queued run in ``advocacy.accounts.roster_uploads``.

Import from those modules. The name below stays for a caller in another team's files
(``tests/content/test_slot_values.py``) until it is updated there.
"""

from advocacy.accounts.roster_import import import_staff_roster

__all__ = ["import_staff_roster"]
