"""The IMAP poller against a real Dovecot (Debian's dovecot-imapd), started for the test."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stories.models import ChannelConversation, Upload
from stories.tasks import poll_mailbox
from tests.stories.channel_helpers import email_bytes, jpeg_bytes

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "stories", "mailbox-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dovecot_config(folder: Path, port: int) -> Path:
    """A Dovecot serving one plaintext IMAP mailbox on localhost, all state in ``folder``."""
    me = pwd.getpwuid(os.geteuid())
    # As root, mail is owned by nobody (Dovecot refuses uid 0); otherwise by whoever runs it.
    owner = pwd.getpwnam("nobody") if me.pw_uid == 0 else me
    internal = "" if me.pw_uid == 0 else f"default_internal_user = {me.pw_name}\n"
    login = "" if me.pw_uid == 0 else f"default_login_user = {me.pw_name}\n"
    home = folder / "home"
    home.mkdir(mode=0o777)
    if me.pw_uid == 0:
        os.chown(home, owner.pw_uid, owner.pw_gid)
    (folder / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    config = folder / "dovecot.conf"
    config.write_text(
        f"""base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
{internal}{login}passdb {{
  driver = passwd-file
  args = {folder}/users
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={home}/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  chroot =
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
    )
    return config


@pytest.fixture
def dovecot() -> Iterator[int]:
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    # Not under pytest's tmp_path: Dovecot's own users must reach the folder (0700 there).
    with tempfile.TemporaryDirectory(prefix="tarina-dovecot-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        yield from _serve(folder)


def _serve(folder: Path) -> Iterator[int]:
    port = free_port()
    config = dovecot_config(folder, port)
    server = subprocess.Popen([DOVECOT, "-F", "-c", str(config)])
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    log = (
                        (folder / "dovecot.log").read_text()
                        if (folder / "dovecot.log").exists()
                        else ""
                    )
                    pytest.fail(f"dovecot did not start: {log}")
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def mailbox(port: int) -> imaplib.IMAP4:
    connection = imaplib.IMAP4("127.0.0.1", port)
    connection.login(USER, PASSWORD)
    connection.select("INBOX")
    return connection


@pytest.mark.django_db
def test_the_poller_answers_each_message_in_the_mailbox_and_removes_it(
    drive, dovecot, settings, mailoutbox
):
    inbox = mailbox(dovecot)
    raw = email_bytes("The library closes too early for people who work.", photo=jpeg_bytes())
    inbox.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
    inbox.logout()
    settings.TARINA_IMAP_URL = f"imap://{USER}:{PASSWORD}@127.0.0.1:{dovecot}/INBOX"

    assert poll_mailbox() == 1

    assert mailoutbox[0].to == ["anna@example.org"]
    assert "We keep your story safe." in mailoutbox[0].body
    draft = ChannelConversation.objects.get()
    assert Upload.objects.filter(pk__in=draft.upload_ids).count() == 1
    inbox = mailbox(dovecot)
    _status, found = inbox.search(None, "ALL")
    inbox.logout()
    assert found == [b""]  # read once and gone from the mailbox
    assert poll_mailbox() == 0
