"""nbgrader's collect step for the hub, which a trainee cannot fool.

nbgrader's own collect believes the name a submission has in the exchange: a
trainee could hand in work under another trainee's name (nbgrader only logs
"cheating attempt?" and collects it, replacing the real work) or hand in a
link to the grader's solutions, which collect follows. ``CheckedExchangeCollect``
checks every submission first (see ``submission``) and leaves out any that
fails, saying so in plain words in the log the formgrader shows. The trainee's
newest submission that passes is collected instead, and work already
collected is never replaced by a refused one. A refused submission stays in
the exchange, untouched, for IT to look at.

For honest trainees nothing changes: the same folders, the same choice of
submission (newest, or newest before the due date with --before-duedate),
the same --update handling, ignore/include patterns and size limits, and the
same log lines. The hub's nbgrader_config.py puts it in place with
``c.ExchangeFactory.collect``.

``init_src`` and ``copy_files`` follow nbgrader 0.9.6's own line by line
(nbgrader picks each trainee's newest submission before any check could run,
and deletes collected work before copying the new), with the checks added;
tests/test_hub_exchange.py compares the two on honest submissions, so a
change in a newer nbgrader shows up there.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import shutil
import stat
import tempfile

from nbgrader.exchange.abc.exchange import ExchangeError
from nbgrader.exchange.default.collect import ExchangeCollect, groupby

from . import submission
from .submission import Refused, shown


class CheckedExchangeCollect(ExchangeCollect):
    """Collect, refusing submissions not made by the trainee they name, or holding links
    or special files; otherwise exactly nbgrader's collect."""

    def init_src(self):
        """Find the submissions to collect, as nbgrader does, after leaving out refused ones."""
        from nbgrader.api import Gradebook, MissingEntry
        from nbgrader.utils import check_mode

        if self.coursedir.course_id == '':
            self.fail("No course id specified. Re-run with --course flag.")
        self.course_path = os.path.join(self.root, self.coursedir.course_id)
        self.inbound_path = os.path.join(self.course_path, 'inbound')
        if not os.path.isdir(self.inbound_path):
            self.fail(f"Course not found: {self.inbound_path}")
        if not check_mode(self.inbound_path, read=True, execute=True):
            self.fail(f"You don't have read permissions for the directory: {self.inbound_path}")
        if not self.check_owner:
            # On a shared hub, switching the owner check off is exactly what lets
            # one trainee hand in as another; say so rather than obey silently.
            self.log.warning("ExchangeCollect.check_owner is off in the settings, but on this "
                             "hub every submission's owner is always checked.")
        student_id = self.coursedir.student_id if self.coursedir.student_id else '*'
        pattern = os.path.join(self.inbound_path,
                               f'{student_id}+{self.coursedir.assignment_id}+*')
        records = [r for r in map(self._checked_record, sorted(glob.glob(pattern))) if r]
        usergroups = groupby(records, lambda item: item['username'])

        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gb:
            try:
                assignment = gb.find_assignment(self.coursedir.assignment_id)
                self.duedate = assignment.duedate
            except MissingEntry:
                self.duedate = None
        if self.duedate is None or not self.before_duedate:
            self.src_records = [self._sort_by_timestamp(v)[0] for v in usergroups.values()]
        else:
            self.src_records = []
            for v in usergroups.values():
                records = self._sort_by_timestamp(v)
                records_before_duedate = [record for record in records
                                          if record['timestamp'] <= self.duedate]
                if records_before_duedate:
                    self.src_records.append(records_before_duedate[0])
                else:
                    self.src_records.append(records[0])

    def _checked_record(self, path: str) -> dict | None:
        """nbgrader's record of one inbound folder, or None (said in the log) if it is refused."""
        filename = os.path.basename(path)
        try:
            record = self._path_to_record(path)
        except (ExchangeError, ValueError, OverflowError):
            # nbgrader would stop the whole collect here; one odd name must not.
            self.log.error("Left out '%s' in the exchange: its name does not end in a date and "
                           "time, so nbgrader's submit did not make it.", shown(filename))
            return None
        try:
            submission.check(path, record['username'], record['timestamp'],
                             max_bytes=1000 * self.coursedir.max_dir_size)
        except Refused as why:
            self._refuse(record, why)
            return None
        return record

    def _refuse(self, record: dict, why: Refused) -> None:
        student, assignment = record['username'], self.coursedir.assignment_id
        self.log.error(
            "Refused a submission of '%s' that claims to be from %s: %s. Nothing from it was "
            "collected, and %s's own collected work is left as it was. It is still in the "
            "exchange, as %s, for IT to look at.",
            assignment, shown(student), why, shown(student),
            shown(os.path.join(self.inbound_path, record['filename'])))

    def copy_files(self):
        """Collect each chosen submission as nbgrader does, through a checked copy that
        replaces earlier collected work only once the new copy is complete."""
        what = f"'{self.coursedir.assignment_id}' for course '{self.coursedir.course_id}'"
        if len(self.src_records) == 0:
            self.log.warning(f"No submissions of {what} to collect")
        else:
            self.log.info(f"Processing {len(self.src_records)} submissions of {what}")

        for rec in self.src_records:
            student_id = rec['username']
            src_path = os.path.join(self.inbound_path, rec['filename'])
            dest_path = self.coursedir.format_path(self.coursedir.submitted_directory,
                                                   student_id, self.coursedir.assignment_id)
            if not os.path.exists(os.path.dirname(dest_path)):
                os.makedirs(os.path.dirname(dest_path))

            who = f"{student_id} {self.coursedir.assignment_id}"
            copy, updating = True, False
            if os.path.isdir(dest_path):
                existing = self.coursedir.get_existing_timestamp(dest_path)
                new = rec['timestamp']
                newer = self.update and (existing is None or new > existing)
                copy = updating = newer or (self.before_duedate and existing != new)

            if copy:
                if updating:
                    self.log.info(f"Updating submission: {who}")
                else:
                    self.log.info(f"Collecting submission: {who}")
                try:
                    self._replace(src_path, dest_path, rec)
                except Refused as why:
                    self._refuse(rec, why)
            elif self.update:
                self.log.info(f"No newer submission to collect: {who}")
            else:
                self.log.info(f"Submission already exists, use --update to update: {who}")

    def _replace(self, src_path: str, dest_path: str, rec: dict) -> None:
        # Copy beside the destination first (a dot name, which nbgrader never
        # lists), and swap it in only when complete, so a submission refused
        # half way through leaves the earlier collected work as it was.
        stage = tempfile.mkdtemp(prefix=f".{os.path.basename(dest_path)}.collecting-",
                                 dir=os.path.dirname(dest_path))
        try:
            fresh, old = os.path.join(stage, "new"), os.path.join(stage, "old")
            self._checked_copy(src_path, fresh, rec)
            if os.path.isdir(dest_path):
                os.rename(dest_path, old)
            try:
                os.rename(fresh, dest_path)
            except OSError:
                if os.path.isdir(old):
                    os.rename(old, dest_path)
                raise
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def do_copy(self, src, dest, log=None):
        """Copy one submission folder as nbgrader's do_copy does, but checked and never
        following a link (Refused if it fails a check)."""
        self._checked_copy(src, dest, self._path_to_record(src))

    def _checked_copy(self, src: str, dest: str, rec: dict) -> None:
        submission.check(src, rec['username'], rec['timestamp'],
                         max_bytes=1000 * self.coursedir.max_dir_size)
        submission.copy(src, dest, rec['username'],
                        lambda name, st, inside: self._kept(name, st, os.path.join(src, inside)),
                        rec['timestamp'])
        if self.coursedir.groupshared:
            self._share_with_group(dest)

    def _kept(self, name: str, st, fullname: str) -> bool:
        """nbgrader's ignore, include and max_file_size rules, from the entry's own lstat."""
        coursedir = self.coursedir
        if coursedir.ignore and any(fnmatch.fnmatch(name, g) for g in coursedir.ignore):
            self.log.debug(f"Ignoring excluded file '{fullname}' (see config option "
                           "CourseDirectory.ignore)")
            return False
        if stat.S_ISREG(st.st_mode):
            if coursedir.include and not any(fnmatch.fnmatch(name, g) for g in coursedir.include):
                self.log.debug(f"Ignoring non included file '{fullname}' (see config option "
                               "CourseDirectory.include)")
                return False
            if coursedir.max_file_size and st.st_size > 1000 * coursedir.max_file_size:
                self.log.warning(f"Ignoring file too large '{fullname}' (see config option "
                                 "CourseDirectory.max_file_size)")
                return False
        return True

    def _share_with_group(self, dest: str) -> None:
        # As nbgrader's do_copy: with groupshared, folders ug+rwx and setgid, files ug+rw.
        # The copy is the grader's own, so walking it by path is safe.
        for dirname, _, filenames in os.walk(dest):
            self._add_mode(dirname, 0o2770, 0o2777)
            for filename in filenames:
                self._add_mode(os.path.join(dirname, filename), 0o660, 0o777)

    def _add_mode(self, path: str, bits: int, keep: int) -> None:
        mode = os.stat(path).st_mode
        if mode & bits != bits:
            try:
                os.chmod(path, (mode | bits) & keep)
            except PermissionError:
                self.log.warning("Could not update permissions of %s to make it groupshared",
                                 path)
