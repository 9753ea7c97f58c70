"""`guanxi import FILE`: import accounts or contacts from CSV/XLSX with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from guanxi.core.errors import DomainError
from guanxi.core.models import User
from guanxi.customers.models import ImportJob
from guanxi.customers.services import imports


class Command(BaseCommand):
    help = "Import accounts or contacts from a CSV/XLSX file (columns mapped from zh/en headers)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="the CSV or XLSX file")
        parser.add_argument("--entity", choices=["account", "contact"], default="account")
        parser.add_argument(
            "--user", default="admin", help="import as this user (owner of new records)"
        )
        parser.add_argument("--policy", choices=["skip", "update", "create"], default="skip")
        parser.add_argument(
            "--key", choices=["email", "mobile", "name"], default="email", help="upsert key"
        )
        parser.add_argument("--chunk", type=int, default=imports.CHUNK_SIZE)
        parser.add_argument(
            "--resume", type=int, metavar="JOB_ID", help="continue an interrupted import"
        )
        parser.add_argument("--errors", help="write the per-row problems to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        from tqdm import tqdm

        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"no such user: {options['user']}") from exc
        try:
            if options["resume"]:
                job = ImportJob.objects.get(pk=options["resume"])
                ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
            else:
                if not options["file"]:
                    raise CommandError("give a file to import (or --resume JOB_ID)")
                path = Path(options["file"])
                job = imports.import_create(
                    actor=user,
                    entity=options["entity"],
                    filename=path.name,
                    content=path.read_bytes(),
                )
                job = imports.import_configure(
                    actor=user, job=job, mapping=dict(job.mapping),
                    policy=options["policy"], upsert_key=options["key"],
                )  # fmt: skip
                ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        except DomainError as exc:
            raise CommandError(f"{exc.message} {exc.fields}") from exc
        self.stdout.write(
            f"import #{job.pk}: {job.filename} ({job.encoding}), mapping {job.mapping}"
        )
        with tqdm(total=job.total_rows, initial=job.cursor, unit="rows") as bar:
            done = job.cursor

            def progress(cursor: int) -> None:
                nonlocal done
                bar.update(cursor - done)
                done = cursor

            job = imports.import_process(job.pk, chunk_size=options["chunk"], on_progress=progress)
        self.stdout.write(
            f"{job.status}: {job.created_count} created, {job.updated_count} updated, "
            f"{job.skipped_count} duplicates skipped, {job.error_count} rows with errors"
        )
        if options["errors"]:
            Path(options["errors"]).write_bytes(imports.import_errors_csv(actor=user, job=job))
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(f"failed: {job.message} (resume with --resume {job.pk})")
