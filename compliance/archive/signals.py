"""What the archive announces to the apps above it, without knowing them.

``verification_failed`` is sent when a nightly verification run finds a problem (``verification_runs``);
``compliance.archive.web.alerts`` mails the administrators and compliance officers.
"""

from django.dispatch import Signal

verification_failed = Signal()  # keyword arguments: verification (ArchiveVerification), result (verify's)
