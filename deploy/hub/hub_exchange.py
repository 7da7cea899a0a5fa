"""nbgrader's exchange collect, refusing forged submissions: on a hub every student is a system account, and the
exchange's inbound folder is writable by all, so ``nbgrader submit --student bob`` run by alice leaves a folder named
``bob+<assignment>+<time>`` owned by alice. nbgrader's own collect logs a warning ("cheating attempt?") and takes it
as bob's newest submission; this one takes bob's newest *own* submission and leaves the forged one in the inbound
folder for the instructor to look at."""

from __future__ import annotations

import glob
import os
import pwd

from nbgrader.exchange.default.collect import ExchangeCollect


class OwnerCheckedCollect(ExchangeCollect):
    def _owner(self, record: dict) -> str:
        try:
            return pwd.getpwuid(os.stat(os.path.join(self.inbound_path, record["filename"])).st_uid).pw_name
        except (KeyError, OSError):
            return "unknown"

    def _genuine(self, record: dict) -> bool:
        return self._owner(record) == record["username"]

    def _sort_by_timestamp(self, records):
        # a student's own submissions first (newest first), forged ones after: nbgrader takes the first
        newest = super()._sort_by_timestamp(records)
        return [r for r in newest if self._genuine(r)] + [r for r in newest if not self._genuine(r)]

    def init_src(self):
        super().init_src()
        student = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*")
        self.forged = [r for r in map(self._path_to_record, glob.glob(pattern)) if not self._genuine(r)]
        self.src_records = [r for r in self.src_records if self._genuine(r)]

    def copy_files(self):
        for record in self.forged:  # logged here, where formgrader's collect log shows it
            self.log.error(
                "Not collecting %s: it claims to be %s's submission but belongs to %s",
                record["filename"],
                record["username"],
                self._owner(record),
            )
        super().copy_files()
