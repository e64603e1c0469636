"""The one place argv becomes a command line: every hostile string stays one argument."""

import shlex
import subprocess
from pathlib import Path

import pytest

from hacore.runner import command_line
from tests.corpus import INJECTION_CORPUS


def test_corpus_is_large_enough() -> None:
    assert len(INJECTION_CORPUS) >= 30


@pytest.mark.parametrize("hostile", INJECTION_CORPUS)
def test_round_trips_through_shell_lexer(hostile: str) -> None:
    argv = ["crm_resource", "--resource", hostile, "--node", hostile]
    assert shlex.split(command_line(argv)) == argv


def test_a_real_shell_receives_every_argument_intact() -> None:
    """Run the joined line in /bin/sh (what sshd runs it with) and read the args back."""
    line = command_line(["printf", "%s\\0", *INJECTION_CORPUS])
    done = subprocess.run(["/bin/sh", "-c", line], capture_output=True, check=True)
    received = done.stdout.decode("utf-8", "surrogateescape").split("\0")[:-1]
    assert received == INJECTION_CORPUS


def test_nothing_but_the_command_runs(tmp_path: Path) -> None:
    marker = f"{tmp_path}/owned"
    line = command_line(["echo", f"; touch {marker}", f"$(touch {marker})", f"`touch {marker}`"])
    subprocess.run(["/bin/sh", "-c", line], capture_output=True, check=True)

    assert not Path(marker).exists()


@pytest.mark.parametrize("bad", ["a\x00b", "\x00"])
def test_nul_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^command arguments cannot contain NUL bytes$"):
        command_line(["echo", bad])
    plain = bad.replace("\x00", "0")
    assert command_line(["echo", plain]) == f"echo {plain}", "the positive control"


def test_a_string_is_not_a_command() -> None:
    with pytest.raises(ValueError, match=r"^a command is a non-empty list of arguments, not a"):
        command_line("crm_mon -1")
    assert command_line(["crm_mon", "-1"]) == "crm_mon -1"


def test_empty_command_refused() -> None:
    with pytest.raises(ValueError, match=r"^a command is a non-empty list of arguments"):
        command_line([])
    assert command_line(["true"]) == "true"


def test_non_string_argument_refused() -> None:
    with pytest.raises(TypeError, match=r"^command arguments must be strings, got int$"):
        command_line(["sleep", 5])  # type: ignore[list-item]
    assert command_line(["sleep", "5"]) == "sleep 5"


def test_plain_words_stay_plain() -> None:
    assert command_line(["crm_mon", "--one-shot", "--output-as=xml"]) == (
        "crm_mon --one-shot --output-as=xml"
    )
