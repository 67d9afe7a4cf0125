"""Load test: 10,000 questions from 100 simulated users through the Bot API emulator on
loopback, to the real ``tanyaberita serve`` — once steady, once with content reloads in the
middle.

Usage (from the repository root, after ``make setup e2e-setup``)::

    python -m benchmarks.load [--users 100] [--questions 100] [--think 3]
        [--rate-limit 30] [--scenarios steady,reload] [--json benchmarks/out/load.json]

Each user asks ``--questions`` questions one after another, waiting a random 0.5–1.5 ×
``--think`` seconds after each reply (people read the answer first; the users do not ask in
lockstep). The questions are about the shipped article, a few it does not answer, and — from
the middle of the run on — an article added during the run. Telegram's outgoing limit
(``--rate-limit``, 30 messages/s, the production setting) stays on.

Every question must get exactly one reply. A reply that does not come within 60 s is
**lost**; a reply that is the bot's error apology, or an answer to the shipped article's
control question that no longer names Putin, is **failed**.

The **reload** scenario, once half of the questions are answered: a new article file is put
into the content directory and an admin sends ``/reload`` through Telegram (the bot syncs and
rebuilds its index while answering); a little later another process runs
``tanyaberita ingest`` of a second article into the same database (the bot's revision watcher
picks it up within ~5 s). It reports when each new article was first answered and the latency
around the reload.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.bot_roundtrip import cpu_seconds, fresh_token, percentile, wait_ready
from benchmarks.emulator_client import EmulatorProcess, FakeUser, ServeProcess, unavailable_reason

ROOT = Path(__file__).resolve().parent.parent
ADMIN_ID = 424242
CONTROL = "Siapa yang menjadi perantara gencatan senjata?"
CONTROL_FACT = "Putin"
ARTICLE_QUESTIONS = [
    CONTROL,
    "Kapan Armenia dan Azerbaijan menyetujui gencatan senjata?",
    "Di mana menteri luar negeri menandatangani gencatan senjata?",
    "Berapa lama pembicaraan di Moskow berlangsung?",
    "Senjata apa yang diberikan Turki kepada Azerbaijan?",
    "Kota apa yang ditembaki menurut militer Armenia?",
    "Kapan ledakan pertempuran terakhir dimulai?",
    "Berapa harga beras di pasar hari ini?",  # not in the article: a polite "not in it"
]
BANJIR = (
    "Banjir Rendam Ratusan Rumah di Bekasi",
    "Hujan deras yang mengguyur sejak Senin malam membuat Kali Bekasi meluap dan merendam "
    "sedikitnya 450 rumah di Kecamatan Rawalumbu. Ketinggian air mencapai 1,5 meter.\n\n"
    "Kepala BPBD Kota Bekasi, Agus Salim, mengatakan petugas telah mengevakuasi 1.200 warga.",
    "Berapa rumah yang terendam banjir di Bekasi?",
    "450 rumah",
)
GEMPA = (
    "Gempa Guncang Cianjur",
    "Gempa bumi berkekuatan 5,6 magnitudo mengguncang Kabupaten Cianjur pada Senin siang. "
    "Badan Meteorologi, Klimatologi, dan Geofisika mencatat pusat gempa berada di darat.\n\n"
    "Ratusan bangunan rusak dan warga mengungsi ke tenda darurat.",
    "Berapa kekuatan gempa yang mengguncang Cianjur?",
    "5,6 magnitudo",
)
ERROR_TEXTS = ("Maaf, terjadi kesalahan", "Sorry, something went wrong")


@dataclass
class Reply:
    user: int
    question: str
    sent_at: float  # seconds since the run started
    latency_ms: float | None  # None: lost (no reply within 60 s)
    text: str = ""
    duplicate: bool = False  # a second reply to the same question


@dataclass
class Outcome:
    scenario: str
    users: int
    questions: int
    replies: int
    lost: int
    duplicates: int
    failed: int
    seconds: float
    replies_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    bot_cpu_ms_per_reply: float
    extra: dict[str, Any] = field(default_factory=dict)


class Run:
    """One scenario's users and what they saw."""

    def __init__(self, user: FakeUser, users: int, questions: int, think: float) -> None:
        self.user = user
        self.users = users
        self.questions = questions
        self.think = think
        self.replies: list[Reply] = []
        self.answered = 0
        self.started = time.perf_counter()
        self.half = asyncio.Event()
        self.new_articles: list[tuple[str, str]] = []  # (question, fact) asked once added

    def now(self) -> float:
        return time.perf_counter() - self.started

    def question_for(self, user_id: int, n: int) -> str:
        if self.half.is_set() and self.new_articles and n % 4 == 0:
            return self.new_articles[(user_id + n) % len(self.new_articles)][0]
        return ARTICLE_QUESTIONS[(user_id + n) % len(ARTICLE_QUESTIONS)]

    async def user_loop(self, user_id: int) -> None:
        rng = random.Random(user_id)
        await asyncio.sleep(rng.uniform(0, self.think))
        for n in range(self.questions):
            question = self.question_for(user_id, n)
            sent = time.perf_counter()
            await self.user.send(question, user_id=user_id)
            try:
                got = await self.user.wait_for_replies(user_id, timeout=60.0)
            except TimeoutError:
                self.replies.append(Reply(user_id, question, sent - self.started, None))
                continue
            latency = (time.perf_counter() - sent) * 1000
            for number, message in enumerate(got):
                self.replies.append(
                    Reply(
                        user_id,
                        question,
                        sent - self.started,
                        latency,
                        message.text,
                        duplicate=number > 0,
                    )
                )
            self.answered += 1
            if self.answered >= self.users * self.questions // 2:
                self.half.set()
            await asyncio.sleep(rng.uniform(0.5, 1.5) * self.think)


def failed(reply: Reply) -> bool:
    if reply.latency_ms is None or reply.duplicate:
        return False
    if any(text in reply.text for text in ERROR_TEXTS):
        return True
    return reply.question == CONTROL and CONTROL_FACT not in reply.text


def summarise(name: str, run: Run, seconds: float, cpu_ms: float) -> Outcome:
    answered = [r for r in run.replies if r.latency_ms is not None and not r.duplicate]
    latencies = [r.latency_ms for r in answered if r.latency_ms is not None]
    return Outcome(
        scenario=name,
        users=run.users,
        questions=run.users * run.questions,
        replies=len(answered),
        lost=sum(r.latency_ms is None for r in run.replies),
        duplicates=sum(r.duplicate for r in run.replies),
        failed=sum(failed(r) for r in run.replies),
        seconds=round(seconds, 1),
        replies_per_s=round(len(answered) / seconds, 1),
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        max_ms=round(max(latencies, default=float("nan")), 1),
        bot_cpu_ms_per_reply=round(cpu_ms / max(len(answered), 1), 2),
    )


async def reload_in_the_middle(
    run: Run, admin: FakeUser, content: Path, database_url: str, tmp: Path
) -> dict[str, Any]:
    """At half time: a new file and /reload by an admin; then an ingest by another process."""
    await run.half.wait()
    events: dict[str, Any] = {}
    title, text, question, fact = BANJIR
    (content / "banjir-bekasi.txt").write_text(f"{title}\n\n{text}", encoding="utf-8")
    events["reload_sent_s"] = round(run.now(), 2)
    await admin.send("/reload", user_id=ADMIN_ID)
    [report] = await admin.wait_for_replies(ADMIN_ID, timeout=120)
    events["reload_reply_s"] = round(run.now(), 2)
    events["reload_report"] = report.text
    run.new_articles.append((question, fact))
    await asyncio.sleep(5)
    title, text, question, fact = GEMPA
    article = tmp / "gempa-cianjur.txt"
    article.write_text(f"{title}\n\n{text}", encoding="utf-8")
    events["ingest_started_s"] = round(run.now(), 2)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot.cli", "--database-url", database_url, "ingest", str(article)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    events["ingest_done_s"] = round(run.now(), 2)
    events["ingest_exit"] = done.returncode
    run.new_articles.append((question, fact))
    return events


def first_answered(run: Run, question: str, fact: str) -> float | None:
    times = [
        r.sent_at
        for r in run.replies
        if r.question == question and r.latency_ms is not None and fact in r.text
    ]
    return round(min(times), 2) if times else None


async def scenario(
    name: str, url: str, client: httpx.AsyncClient, args: argparse.Namespace, tmp: Path
) -> tuple[Outcome, str]:
    content = tmp / f"content-{name}"
    shutil.copytree(ROOT / "content", content)
    token = fresh_token()
    bot = ServeProcess(
        url,
        token,
        env={
            "RATE_LIMIT_PER_SECOND": str(args.rate_limit),
            "LOG_LEVEL": "WARNING",
            "CONTENT_DIR": str(content),
            "ADMIN_USER_IDS": str(ADMIN_ID),
        },
        args=("--poll-interval", str(args.poll_interval)),
    )
    try:
        user = FakeUser(url, token, client)
        await wait_ready(user, bot)
        run = Run(user, args.users, args.questions, args.think)
        before = cpu_seconds(bot.process.pid)
        tasks = [run.user_loop(10_000 + u) for u in range(args.users)]
        events: dict[str, Any] = {}
        if name == "reload":
            results = await asyncio.gather(
                reload_in_the_middle(run, user, content, bot.database_url, tmp), *tasks
            )
            events = results[0]
        else:
            await asyncio.gather(*tasks)
        seconds = run.now()
        outcome = summarise(name, run, seconds, (cpu_seconds(bot.process.pid) - before) * 1000)
        if name == "reload":
            for key, (_, _, question, fact) in (("banjir", BANJIR), ("gempa", GEMPA)):
                events[f"{key}_first_answered_s"] = first_answered(run, question, fact)
            start = events["reload_sent_s"] - 1
            end = events["reload_reply_s"] + 1
            window = [
                r.latency_ms
                for r in run.replies
                if r.latency_ms is not None and start <= r.sent_at <= end
            ]
            events["answered_during_reload"] = len(window)
            events["p99_ms_during_reload"] = round(percentile(window, 99), 1)
            outcome.extra = events
    finally:
        log = bot.stop()
    return outcome, log


async def main_async(args: argparse.Namespace) -> list[Outcome]:
    emulator = EmulatorProcess()
    url = emulator.start()
    outcomes: list[Outcome] = []
    limits = httpx.Limits(max_connections=4 * args.users + 20, max_keepalive_connections=None)
    try:
        async with httpx.AsyncClient(timeout=90, limits=limits) as client:
            with tempfile.TemporaryDirectory(prefix="tanyaberita-load-") as folder:
                for name in args.scenarios:
                    outcome, log = await scenario(name, url, client, args, Path(folder))
                    outcomes.append(outcome)
                    lines = log.splitlines()
                    problems = [line for line in lines if "Traceback" in line or " ERROR " in line]
                    outcome.extra["bot_log_errors"] = len(problems)
                    print(json.dumps(asdict(outcome), ensure_ascii=False), flush=True)
                    if problems:
                        print("\n".join(problems[:20]), file=sys.stderr)
    finally:
        emulator.stop()
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--questions", type=int, default=100, help="per user")
    parser.add_argument("--think", type=float, default=3.0, help="mean pause after a reply (s)")
    parser.add_argument("--rate-limit", type=float, default=30.0, help="RATE_LIMIT_PER_SECOND")
    parser.add_argument("--poll-interval", type=float, default=0.01)
    parser.add_argument("--scenarios", type=lambda v: v.split(","), default=["steady", "reload"])
    parser.add_argument("--json", type=Path, help="write the outcomes here")
    args = parser.parse_args(argv)
    reason = unavailable_reason()
    if reason is not None:
        print(f"load benchmark skipped: {reason}")
        return 0
    outcomes = asyncio.run(main_async(args))
    print(
        f"{'scenario':<8} {'users':>5} {'questions':>9} {'lost':>4} {'dup':>3} {'failed':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'replies/s':>9}"
    )
    for o in outcomes:
        print(
            f"{o.scenario:<8} {o.users:>5} {o.questions:>9} {o.lost:>4} {o.duplicates:>3} "
            f"{o.failed:>6} "
            f"{o.p50_ms:>7} {o.p95_ms:>7} {o.p99_ms:>7} {o.max_ms:>7} {o.replies_per_s:>9}"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=2) + "\n")
    return 1 if any(o.lost or o.duplicates or o.failed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
