"""llama.cpp threads follow the free cores: a busy neighbour takes a thread away (no spinning)."""

from __future__ import annotations

import os

from sonicgrid.llm.threads import allowed_cores, busy_elsewhere, threads_for


def test_quiet_machine_uses_its_cores_up_to_the_request():
    assert threads_for(None, cores=2, busy=0.0) == 2
    assert threads_for(4, cores=8, busy=0.0) == 4
    assert threads_for(2, cores=2, busy=0.3) == 2


def test_a_busy_neighbour_takes_a_core():
    assert threads_for(2, cores=2, busy=1.0) == 1
    assert threads_for(2, cores=2, busy=0.7) == 1
    assert threads_for(None, cores=16, busy=3.2) == 13


def test_never_below_one_thread():
    assert threads_for(2, cores=2, busy=6.0) == 1
    assert threads_for(0, cores=2, busy=0.0) == 1


def test_reads_this_machine():
    n = allowed_cores()
    assert 1 <= n <= (os.cpu_count() or n)
    assert busy_elsewhere() >= 0.0
    assert 1 <= threads_for() <= n
