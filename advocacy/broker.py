"""The embedded demo's broker: kombu's filesystem transport, with undecodable messages moved aside.

kombu's own ``filesystem`` channel claims a message file (moves it out of the queue folder), reads it and
decodes it; a file that does not decode (truncated, hand-edited, written by something else) raises out of
the worker's consumer loop, the worker exits, and the file has already been deleted. Here such a file is
moved to ``failed_folder`` (``var/broker-failed`` beside the queue folder) and logged, and the worker goes
on with the next message.

Celery selects this transport through ``CELERY_BROKER_TRANSPORT`` (settings, when ``REDIS_URL`` is unset);
a transport subclass overriding the channel's ``_get`` is how kombu's virtual transports are written. The
override follows kombu's file layout (``<time>_<uuid>.<queue>.msg`` in ``data_folder_in``, written by the
inherited ``_put``); ``tests/publishing/test_broker.py`` writes through the real producer and breaks if that
layout moves.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from queue import Empty

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str
from kombu.utils.json import loads

logger = logging.getLogger(__name__)

# A producer creates the file, then locks and writes it: a consumer that claims it in between reads nothing.
# Such a file is read again after this long before it is declared undecodable.
REREAD_AFTER_SECONDS = 0.2


class Channel(filesystem.Channel):
    @property
    def failed_folder(self) -> str:
        return self.transport_options.get("failed_folder") or f"{str(self.data_folder_in).rstrip('/')}-failed"

    def _get(self, queue):
        """The next message of ``queue``; files that do not decode are moved to ``failed_folder``."""
        wanted = f"{queue}.msg"
        claim_folder = self.processed_folder if self.store_processed else tempfile.gettempdir()
        for filename in sorted(os.listdir(self.data_folder_in)):
            if filename.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(claim_folder, filename)
            try:
                shutil.move(os.path.join(self.data_folder_in, filename), claimed)
            except OSError:
                continue  # another consumer claimed it first
            message = self._decode(claimed)
            if message is None:
                self._set_aside(claimed, queue)
                continue
            if not self.store_processed:
                os.remove(claimed)
            return message
        raise Empty()

    def _decode(self, path: str) -> dict | None:
        for attempt in range(2):
            try:
                with open(path, "rb") as f:
                    filesystem.lock(f, filesystem.LOCK_SH)  # waits for a producer still writing it
                    try:
                        payload = f.read()
                    finally:
                        filesystem.unlock(f)
            except OSError as exc:
                raise ChannelError(f"Cannot read file {path!r} from queue.") from exc
            try:
                message = loads(bytes_to_str(payload))
            except ValueError:  # JSONDecodeError, UnicodeDecodeError
                message = None
            if isinstance(message, dict):
                return message
            if attempt == 0:
                time.sleep(REREAD_AFTER_SECONDS)
        return None

    def _set_aside(self, path: str, queue: str) -> None:
        failed = Path(self.failed_folder)
        failed.mkdir(parents=True, exist_ok=True)
        target = failed / Path(path).name
        shutil.move(path, target)
        logger.error("broker: a message of queue %r could not be decoded; moved to %s (the worker goes on)",
                     queue, target)


class Transport(filesystem.Transport):
    Channel = Channel
