"""One process at a time holds the duty; another takes over when it lets go."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from core.duty import Duty, DutyLock


def test_only_one_claim_holds_the_duty_lock(tmp_path: Path) -> None:
    first, second = DutyLock(tmp_path / "duty.lock"), DutyLock(tmp_path / "duty.lock")
    assert first.try_take()
    assert not second.try_take()
    first.release()
    assert second.try_take()
    second.release()


def test_a_process_cannot_take_the_lock_another_process_holds(tmp_path: Path) -> None:
    path = tmp_path / "duty.lock"
    holder = DutyLock(path)
    assert holder.try_take()
    script = ("import sys; from pathlib import Path; from core.duty import DutyLock; "
              f"sys.exit(0 if DutyLock(Path({str(path)!r})).try_take() else 3)")
    root = Path(__file__).resolve().parents[2]
    taken = subprocess.run([sys.executable, "-c", script], cwd=root, check=False)
    assert taken.returncode == 3
    holder.release()
    assert subprocess.run([sys.executable, "-c", script], cwd=root, check=False).returncode == 0


def test_a_waiting_duty_starts_its_work_when_the_holder_lets_go(tmp_path: Path) -> None:
    started: list[str] = []

    async def scenario() -> None:
        async def start() -> None:
            started.append("started")

        async def stop() -> None:
            started.append("stopped")

        holder = DutyLock(tmp_path / "duty.lock")
        assert holder.try_take()
        waiting = Duty(DutyLock(tmp_path / "duty.lock"), [start], [stop], retry_seconds=0.01)
        waiting.begin()
        await asyncio.sleep(0.05)
        assert started == []
        holder.release()
        await asyncio.wait_for(waiting.taken.wait(), timeout=30)
        await waiting.end()

    asyncio.run(scenario())
    assert started == ["started", "stopped"]
