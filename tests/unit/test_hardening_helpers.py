"""Fast checks of the hardening helpers: escaping, seeds, crash messages, bounded calls, sidecars."""

from __future__ import annotations

import errno
import time

import pytest
from rich.console import Console

from sonicgrid.commands.safe import clean, esc
from sonicgrid.errors import UserError
from sonicgrid.graph import outputs
from sonicgrid.memory.remote import bounded_call


def test_esc_makes_markup_and_control_bytes_inert():
    con = Console(record=True, width=200, force_terminal=True, color_system="truecolor")
    text = "a [/chorus] [link=http://x]y[/link] [bold]z\x1b[2J\x00\x07\x9b"
    con.print(esc(text))
    plain = con.export_text()
    assert "[/chorus]" in plain and "[link=http://x]" in plain and "\\x1b" in plain and "\\x00" in plain
    assert "\x1b[2J" not in plain and "\x00" not in plain and "\x9b" not in plain
    assert clean("tab\tnew\nline") == "tab\tnew\nline"


@pytest.mark.parametrize("seed", [-1, 2**32, 2**64])
def test_seed_bounds(seed):
    with pytest.raises(UserError, match="--seed"):
        outputs.check_seed(seed)
    assert outputs.check_seed(2**32 - 1) == 2**32 - 1


def test_crash_message_offers_resume_only_with_a_checkpoint(tmp_path):
    exc = RuntimeError("boom")
    assert "--resume r1" in outputs.crash_message("r1", exc, True, [tmp_path])
    msg = outputs.crash_message("r1", exc, False, [tmp_path])
    assert "--resume" not in msg and "nothing to resume" in msg
    full = OSError(errno.ENOSPC, "No space left on device")
    assert "no space left" in outputs.crash_message("r1", full, True, [tmp_path])


def test_data_dir_that_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(UserError, match="is a file"):
        outputs.check_data_dir(f)


def test_bounded_call_gives_up_at_the_deadline():
    t0 = time.monotonic()
    with pytest.raises(UserError, match=r"did not answer within 0\.2 s"):
        bounded_call(lambda: time.sleep(5), 0.2, "the thing")
    assert time.monotonic() - t0 < 2
    assert bounded_call(lambda: 7, 1, "x") == 7
    with pytest.raises(KeyError):
        bounded_call(lambda: {}["k"], 1, "x")


def test_deadline_interrupts_a_hung_step():
    d = outputs.Deadline(0.2)
    t0 = time.monotonic()
    with pytest.raises(outputs.DeadlineExceeded), d.alarm():
        time.sleep(5)
    assert time.monotonic() - t0 < 2


def test_lean_llama_cache_keeps_one_logits_row():
    np = pytest.importorskip("numpy")
    pytest.importorskip("llama_cpp")
    from sonicgrid.llm.local import _lean_ram_cache

    class State:  # the fields LlamaRAMCache reads from llama_cpp's LlamaState
        def __init__(self):
            self.scores = np.ones((300, 1000), np.float32)
            self.llama_state_size = 10

    cache = _lean_ram_cache(1 << 20)
    cache[(1, 2, 3)] = State()
    kept = cache[(1, 2, 3)]
    assert kept.scores.shape == (1, 1000)
    target = np.zeros((300, 1000), np.float32)
    target[:300, :] = kept.scores  # how Llama.load_state puts it back: broadcasts
    assert target.sum() == 300 * 1000
