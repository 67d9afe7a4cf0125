"""Bot round trip through the Bot API emulator on loopback: user message → bot reply visible.

Starts the emulator (``tests/e2e/emulator``, needs Node.js and ``make e2e-setup``) and the real
``tanyaberita serve`` process (long polling, SQLite store in a temporary directory, the shipped
content), then drives fake users over HTTP:

1. one user asking questions one after another, pausing ``--single-think`` (0.1 s) after each
   reply;
2. N concurrent users (default 50), each asking M questions (default 10) one after another,
   pausing ``--think`` (2 s) after each reply — about 25 questions/s together, a busy but
   realistic chat load below Telegram's 30 messages/s;
3. the same users without pauses ("nonstop": the bot's capacity shows in replies/s);
4. a burst: N × M questions sent at once, then every reply awaited (throughput, 0 lost).

A round trip is timed from the moment the user's message is posted to the emulator until the
bot's reply is returned to that user (the emulator long-polls on the user's side, so no client
polling delay is added; the bot polls getUpdates every ``--poll-interval`` seconds, 10 ms by
default, which a real Telegram long poll would not add). Every question must get exactly one
reply: anything else is counted as lost. The flood guard is off (users here ask far faster than
people do); each scenario runs with Telegram's outgoing rate limit (30 messages/s, the
production setting) and with the limiter off, to show the bot's own capacity.

Usage (from the repository root)::

    python -m benchmarks.bot_roundtrip [--users 50] [--questions 10] [--think 2]
        [--sequential 100] [--rate-limits 30,0] [--json benchmarks/out/bot_roundtrip.json]

It also reports the CPU time the ``serve`` process spent per reply (Linux), which is steadier
than wall-clock figures on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.emulator_client import (
    EmulatorProcess,
    FakeUser,
    ServeProcess,
    unavailable_reason,
)

# Varied questions about the shipped article and a few it does not answer: the bot's work per
# message (ask, log, render) is the same kind either way.
QUESTIONS = [
    "Siapa yang menjadi perantara gencatan senjata?",
    "Kapan Armenia dan Azerbaijan menyetujui gencatan senjata?",
    "Di mana menteri luar negeri menandatangani gencatan senjata?",
    "Berapa lama pembicaraan di Moskow berlangsung?",
    "Senjata apa yang diberikan Turki kepada Azerbaijan?",
    "Apa tujuan gencatan senjata menurut kedua menteri?",
    "Kota apa yang ditembaki menurut militer Armenia?",
    "Kapan ledakan pertempuran terakhir dimulai?",
    "Siapa presiden Azerbaijan?",
    "Apa nama kelompok yang diketuai Rusia, Amerika Serikat dan Prancis?",
    "Berapa harga beras di pasar hari ini?",
    "Siapa pemenang piala dunia sepak bola?",
]


@dataclass
class Result:
    scenario: str
    rate_limit: float
    users: int
    questions: int
    replies: int
    lost: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    replies_per_s: float
    bot_cpu_ms_per_reply: float = 0.0  # CPU time of the serve process / replies
    emulator_cpu_ms_per_reply: float = 0.0
    client_cpu_ms_per_reply: float = 0.0  # this process: the fake users


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measured(coro: Any, pids: tuple[int, int]) -> Result:
    """Run a scenario and add the CPU time the bot and the emulator spent per reply."""
    before = [cpu_seconds(p) for p in pids]
    client_before = time.process_time()
    result: Result = await coro
    spent = [cpu_seconds(p) - b for p, b in zip(pids, before, strict=True)]
    client = time.process_time() - client_before
    if result.replies:
        result.bot_cpu_ms_per_reply = round(spent[0] * 1000 / result.replies, 2)
        result.emulator_cpu_ms_per_reply = round(spent[1] * 1000 / result.replies, 2)
        result.client_cpu_ms_per_reply = round(client * 1000 / result.replies, 2)
    return result


def fresh_token() -> str:
    return f"{secrets.randbelow(9 * 10**8) + 10**8}:AA{secrets.token_urlsafe(30)[:35]}"


async def wait_ready(user: FakeUser, bot: ServeProcess, timeout: float = 60.0) -> None:
    """The bot answers /start: it has loaded its content and is polling."""
    await user.send("/start", user_id=1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not bot.running():
            raise RuntimeError(f"the bot exited during start-up:\n{bot.log()[-2000:]}")
        try:
            await user.wait_for_replies(1, timeout=1.0)
            return
        except TimeoutError:
            continue
    raise RuntimeError(f"the bot did not answer /start within {timeout} s")


async def ask_sequentially(
    user: FakeUser,
    user_id: int,
    count: int,
    offset: int,
    latencies: list[float],
    *,
    think: float = 0.0,
) -> int:
    """``count`` questions, each ``think`` seconds after the previous reply (the first one at
    a random moment within ``think``, so users do not ask in lockstep); returns the number
    lost."""
    lost = 0
    await asyncio.sleep(random.uniform(0, think))
    for n in range(count):
        if n:
            await asyncio.sleep(think)
        question = QUESTIONS[(offset + n) % len(QUESTIONS)]
        started = time.perf_counter()
        await user.send(question, user_id=user_id)
        try:
            replies = await user.wait_for_replies(user_id, timeout=30.0)
        except TimeoutError:
            lost += 1
            continue
        latencies.append((time.perf_counter() - started) * 1000)
        lost += len(replies) - 1 if len(replies) > 1 else 0  # an extra reply is an error too
    return lost


async def scenario_sequential(
    user: FakeUser,
    name: str,
    *,
    rate: float,
    users: int,
    questions: int,
    first_id: int,
    think: float = 0.0,
) -> Result:
    latencies: list[float] = []
    started = time.perf_counter()
    lost = await asyncio.gather(
        *(
            ask_sequentially(user, first_id + u, questions, u, latencies, think=think)
            for u in range(users)
        )
    )
    seconds = time.perf_counter() - started
    return Result(
        name,
        rate,
        users,
        users * questions,
        len(latencies),
        sum(lost),
        round(seconds, 2),
        round(percentile(latencies, 50), 1),
        round(percentile(latencies, 99), 1),
        round(max(latencies, default=float("nan")), 1),
        round(len(latencies) / seconds, 1),
    )


async def scenario_burst(
    user: FakeUser, rate: float, users: int, questions: int, first_id: int
) -> Result:
    """Every user sends all questions at once; then all replies are collected."""
    started = time.perf_counter()
    sent_at: dict[int, list[float]] = {}

    async def fire(user_id: int) -> None:
        for n in range(questions):
            sent_at.setdefault(user_id, []).append(time.perf_counter())
            await user.send(QUESTIONS[(user_id + n) % len(QUESTIONS)], user_id=user_id)

    await asyncio.gather(*(fire(first_id + u) for u in range(users)))
    latencies: list[float] = []

    async def collect(user_id: int) -> int:
        got = 0
        while got < questions:
            try:
                replies = await user.wait_for_replies(user_id, timeout=60.0)
            except TimeoutError:
                break
            now = time.perf_counter()
            for _ in replies:
                if got < questions:
                    latencies.append((now - sent_at[user_id][got]) * 1000)
                got += 1
        return got

    received = await asyncio.gather(*(collect(first_id + u) for u in range(users)))
    seconds = time.perf_counter() - started
    total = users * questions
    return Result(
        "burst",
        rate,
        users,
        total,
        sum(received),
        total
        - sum(min(r, questions) for r in received)
        + sum(max(0, r - questions) for r in received),
        round(seconds, 2),
        round(percentile(latencies, 50), 1),
        round(percentile(latencies, 99), 1),
        round(max(latencies, default=float("nan")), 1),
        round(sum(received) / seconds, 1),
    )


async def run(args: argparse.Namespace) -> list[Result]:
    emulator = EmulatorProcess()
    url = emulator.start()
    results: list[Result] = []
    limits = httpx.Limits(
        max_connections=4 * args.users + 10, max_keepalive_connections=4 * args.users + 10
    )
    try:
        async with httpx.AsyncClient(timeout=90, limits=limits) as client:
            for rate in args.rate_limits:
                token = fresh_token()
                bot = ServeProcess(
                    url,
                    token,
                    env={"RATE_LIMIT_PER_SECOND": str(rate), "LOG_LEVEL": "WARNING"},
                    args=("--poll-interval", str(args.poll_interval)),
                )
                try:
                    user = FakeUser(url, token, client)
                    await wait_ready(user, bot)
                    await scenario_sequential(
                        user, "warm-up", rate=rate, users=1, questions=10, first_id=10
                    )
                    assert emulator.process is not None
                    pids = (bot.process.pid, emulator.process.pid)
                    scenarios = [
                        ("1 user", 1, args.sequential, 100, args.single_think),
                        (f"{args.users} users", args.users, args.questions, 1000, args.think),
                        (f"{args.users} nonstop", args.users, args.questions, 10_000, 0.0),
                    ]
                    for name, users, questions, first_id, think in scenarios:
                        run_one = scenario_sequential(
                            user,
                            name,
                            rate=rate,
                            users=users,
                            questions=questions,
                            first_id=first_id,
                            think=think,
                        )
                        results.append(await measured(run_one, pids))
                    burst = scenario_burst(user, rate, args.users, args.questions, 100_000)
                    results.append(await measured(burst, pids))
                finally:
                    output = bot.stop()
                    if "Traceback" in output or "ERROR" in output:
                        print(output[-3000:], file=sys.stderr)
    finally:
        emulator.stop()
    return results


def print_table(results: list[Result]) -> None:
    print(
        f"{'scenario':<12} {'limit/s':>7} {'msgs':>5} {'lost':>4} {'p50 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'replies/s':>9} {'bot CPU ms/reply':>16}"
    )
    for r in results:
        limit = "off" if r.rate_limit == 0 else f"{r.rate_limit:g}"
        print(
            f"{r.scenario:<12} {limit:>7} {r.questions:>5} {r.lost:>4} {r.p50_ms:>7} "
            f"{r.p99_ms:>7} {r.max_ms:>7} {r.replies_per_s:>9} {r.bot_cpu_ms_per_reply:>16}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument("--questions", type=int, default=10, help="questions per user (default 10)")
    parser.add_argument(
        "--think", type=float, default=2.0, help="seconds a user waits before the next question"
    )
    parser.add_argument("--sequential", type=int, default=100, help="questions for the 1-user run")
    parser.add_argument("--single-think", type=float, default=0.1, help="think time of the 1 user")
    parser.add_argument(
        "--rate-limits",
        type=lambda v: [float(x) for x in v.split(",")],
        default=[30.0, 0.0],
        help="RATE_LIMIT_PER_SECOND values to run (default 30,0; 0 = limiter off)",
    )
    parser.add_argument("--poll-interval", type=float, default=0.01)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason is not None:
        print(f"bot round-trip benchmark skipped: {reason}")
        return 0
    results = asyncio.run(run(args))
    print_table(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    lost = sum(r.lost for r in results)
    if lost:
        print(f"{lost} replies lost", file=sys.stderr)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
