from django.core.management.base import BaseCommand

from compliance.archive.checkpoints import write_checkpoint
from compliance.archive.models import ArchiveCheckpoint


class Command(BaseCommand):
    help = "Record the archive head as a checkpoint (and append it to --file or ARCHIVE_CHECKPOINT_FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--file", metavar="PATH", help="also append the checkpoint to this file")

    def handle(self, *args, **options):
        checkpoint = write_checkpoint(kind=ArchiveCheckpoint.Kind.MANUAL, file_path=options["file"])
        if checkpoint is None:
            self.stdout.write("The archive is empty: no checkpoint written.")
        else:
            self.stdout.write(f"Checkpoint at seq {checkpoint.seq}: {checkpoint.hash}")
