"""One trainee's submission in nbgrader's exchange, checked before the grader touches it.

On a hub every trainee can write into the exchange's inbound folder, so a
submission there is only what its folder name *says* it is
(``<student>+<assignment>+<timestamp>+<random>``). Before the grader copies
anything, ``check`` makes sure that:

- the folder and every file and folder in it belong to the Unix account of the
  trainee the name gives, so nobody can hand in work under someone else's name
  (a file linked in from elsewhere belongs to someone else, so it is caught too);
- it holds only ordinary files and folders. nbgrader's submit copies a
  trainee's files (it follows links, and refuses named pipes), so a link, a
  named pipe, a socket or a device in the exchange was put there by hand: it
  could make the grader read the solutions, or any file the grader can read,
  or hang. Such a submission is refused whole, not tidied, because it has been
  tampered with;
- its ``timestamp.txt`` says the time its name says, as nbgrader's submit
  writes it (a garbled one would stop every later collect).

``copy`` then copies it without ever following a link: each folder and file
is opened with ``O_NOFOLLOW`` relative to its already-opened parent, and
checked again once open, so an entry swapped for a link while the copy runs
is caught rather than followed. Every problem is a ``Refused`` in plain words.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
from collections.abc import Callable

# Honest assignment folders are a level or two deep; a deeper one is refused
# rather than walked (each level holds an open folder).
MAX_DEPTH = 16
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a named pipe swapped in at the last moment must not hang.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_STAMP = "timestamp.txt"

# (name, its lstat, its path inside the submission) -> copy it?
Keep = Callable[[str, os.stat_result, str], bool]


class Refused(Exception):
    """Why a submission cannot be collected, in plain words."""


def shown(text: str) -> str:
    """A name from the exchange as it may be printed: a trainee chooses these names,
    so a line break or other control character in one must not fake a line of the log."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def account_uid(student: str) -> int:
    """The Unix user id of ``student``; Refused if there is no such account."""
    try:
        return pwd.getpwnam(student).pw_uid
    except (KeyError, ValueError):
        raise Refused(f"there is no account called {shown(student)} on this machine, so it "
                      "cannot be that trainee's work") from None


def owner_name(uid: int) -> str:
    """The account name for a user id, in words even when the account is gone."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"an account that no longer exists (user id {uid})"


def _what(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _judge(st: os.stat_result, said: str, student: str, uid: int, name: str,
           dir_fd: int | None) -> None:
    """Refused unless ``st`` is an ordinary file or folder owned by the trainee."""
    if stat.S_ISLNK(st.st_mode):
        try:
            target = os.readlink(name, dir_fd=dir_fd)
        except OSError:
            target = "another file"
        raise Refused(f"{said} is a link to {shown(target)}, not a file that was handed in. "
                      "nbgrader's submit never makes links, so it was put there by hand; "
                      "collecting it would have copied whatever it points at")
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        raise Refused(f"{said} is {_what(st.st_mode)}, not an ordinary file or folder. "
                      "nbgrader's submit never makes one, so it was put there by hand")
    if st.st_uid != uid:
        raise Refused(f"{said} belongs to the account {owner_name(st.st_uid)}, not to "
                      f"{student}: a submission must be made entirely by the trainee it "
                      "is from")


def _open(name: str, dir_fd: int | None, flags: int, seen: os.stat_result, said: str,
          uid: int) -> int:
    """Open an entry already judged by its lstat, without following links, and make
    sure what was opened is that same entry (not something swapped in since)."""
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except OSError as error:
        raise Refused(f"{said} could not be opened ({error.strerror})") from None
    now = os.fstat(fd)
    if ((now.st_dev, now.st_ino, now.st_uid, stat.S_IFMT(now.st_mode))
            != (seen.st_dev, seen.st_ino, uid, stat.S_IFMT(seen.st_mode))):
        os.close(fd)
        raise Refused(f"{said} was changed while it was being collected")
    return fd


def _mode(st: os.stat_result) -> int:
    # Permission bits as nbgrader's copy keeps them, but never set-user-id or
    # set-group-id: a trainee's file must not become a program that runs as the grader.
    return stat.S_IMODE(st.st_mode) & 0o1777


def _walk(dir_fd: int, rel: str, student: str, uid: int, dest: str | None, keep: Keep,
          depth: int, found: dict) -> None:
    """Judge every entry of the open folder ``dir_fd`` and, with ``dest``, copy the kept ones."""
    try:
        names = sorted(os.listdir(dir_fd))
    except OSError as error:
        where = f"'{shown(rel.rstrip('/'))}'" if rel else "its folder"
        raise Refused(f"{where} could not be read ({error.strerror})") from None
    for name in names:
        inside = f"{rel}{name}"
        said = f"'{shown(inside)}'"
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError as error:
            raise Refused(f"{said} could not be read ({error.strerror})") from None
        _judge(st, said, student, uid, name, dir_fd)
        wanted = dest is not None and keep(name, st, inside)
        if stat.S_ISDIR(st.st_mode):
            if depth >= MAX_DEPTH:
                raise Refused(f"{said} is nested more than {MAX_DEPTH} folders deep")
            fd = _open(name, dir_fd, _DIR_FLAGS, st, said, uid)
            try:
                target = os.path.join(dest, name) if wanted else None
                if target:
                    os.mkdir(target)
                _walk(fd, f"{inside}/", student, uid, target, keep, depth + 1, found)
                if target:
                    os.chmod(target, _mode(st))
                    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
            finally:
                os.close(fd)
            continue
        found["size"] += st.st_size
        if depth == 0 and name == _STAMP:
            found["stamp"] = (name, st)
        if not wanted:
            continue
        fd = _open(name, dir_fd, _FILE_FLAGS, st, said, uid)
        target = os.path.join(dest, name)
        with open(fd, "rb") as source, open(target, "xb") as copied:
            shutil.copyfileobj(source, copied)
        os.chmod(target, _mode(st))
        os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))


def _tree(path: str, student: str, dest: str | None, keep: Keep) -> dict:
    """Judge (and with ``dest`` copy) the submission folder at ``path``."""
    uid = account_uid(student)
    try:
        top = os.lstat(path)
    except FileNotFoundError:
        raise Refused("its folder is no longer in the exchange") from None
    if stat.S_ISLNK(top.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "another folder"
        raise Refused(f"its folder is a link to {shown(target)}, not a folder that was "
                      "handed in; it was put there by hand")
    if not stat.S_ISDIR(top.st_mode):
        raise Refused("it is not a folder, so nbgrader's submit did not make it")
    if top.st_uid != uid:
        raise Refused(f"its folder belongs to the account {owner_name(top.st_uid)}, not to "
                      f"{student}, so someone else may have handed it in under {student}'s name")
    fd = _open(path, None, _DIR_FLAGS, top, "its folder", uid)
    found: dict = {"size": 0, "stamp": None, "stamp_text": None}
    try:
        if dest is not None:
            os.mkdir(dest)
        _walk(fd, "", student, uid, dest, keep, 0, found)
        if found["stamp"] is not None and dest is None:
            name, st = found["stamp"]
            with open(_open(name, fd, _FILE_FLAGS, st, f"'{_STAMP}'", uid), "rb") as stamp:
                found["stamp_text"] = stamp.read(200).decode("utf-8", "replace").strip()
    except OSError as error:
        # Anything else the trainee's files can make go wrong (one unreadable in
        # the middle of a copy, say) refuses this submission, not the whole collect.
        raise Refused(f"it could not be read or copied ({error.strerror})") from None
    finally:
        os.close(fd)
    if dest is not None:
        os.chmod(dest, _mode(top))
        os.utime(dest, ns=(top.st_atime_ns, top.st_mtime_ns))
    return found


def check(path: str, student: str, timestamp=None, *, max_bytes: int | None = None) -> int:
    """Refused unless the folder at ``path`` is an untampered submission by ``student``.

    ``timestamp`` is the time in the folder's name (a datetime), which its
    ``timestamp.txt`` must match; ``max_bytes`` the most its files may hold.
    Returns the total size of its files, in bytes.
    """
    found = _tree(path, student, None, lambda *_: False)
    if max_bytes is not None and found["size"] > max_bytes:
        raise Refused(f"its files hold {found['size'] // 1000} kB, more than the "
                      f"{max_bytes // 1000} kB the course allows "
                      "(CourseDirectory.max_dir_size)")
    _same_time(found["stamp_text"], timestamp)
    return found["size"]


def _same_time(text: str | None, timestamp) -> None:
    """Refused if a submission's timestamp.txt does not say the time in its name."""
    from nbgrader.utils import parse_utc

    if timestamp is None or text is None:
        return
    try:
        written = parse_utc(text)
    except (ValueError, OverflowError):
        written = None
    if written != timestamp:
        raise Refused(f"its {_STAMP} says '{shown(text[:60])}' but its name says {timestamp}; "
                      "nbgrader's submit writes the same time in both, so it was changed "
                      "by hand")


def copy(path: str, dest: str, student: str, keep: Keep, timestamp=None) -> None:
    """Copy the submission at ``path`` to the new folder ``dest``, never following a link.

    Every entry is judged again as it is opened (Refused if anything is wrong),
    and the copied ``timestamp.txt`` must still match ``timestamp``. ``keep``
    says which entries to copy, as nbgrader's ignore and include settings do.
    On Refused, ``dest`` may hold part of a copy: the caller copies into a
    folder of its own and throws that away.
    """
    _tree(path, student, dest, keep)
    copied = os.path.join(dest, _STAMP)
    if os.path.isfile(copied):
        # Read from the grader's own copy: the trainee can still change theirs.
        with open(copied, "rb") as stamp:
            _same_time(stamp.read(200).decode("utf-8", "replace").strip(), timestamp)
