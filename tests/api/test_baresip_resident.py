"""A campaign call to a real softphone: baresip (Debian's baresip-core) plays the one resident a
segment selects. It listens on a free loopback port, answers by itself, speaks a WAV file (silence
first, then a tone) and presses 1 through its ctrl_tcp interface after the opening of
policy_notice. Steward's ledger must show the answer, and its recording must hold Steward's voice
on the left and baresip's tone on the right. A second call answers by voice instead, in a campaign
started through `steward serve`'s API as the console starts it: with an ASR server configured
(tests/voice/openai_speech_server.py, which hears a 660 Hz tone as 知道了), baresip says its answer
after the opening and presses nothing. Real time by nature: about half a
minute each."""
import csv
import glob
import json
import math
import os
import re
import socket
import struct
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import BINARY, Server, Workdir, fresh_db  # noqa: E402
from test_phone_line import (ASR_TABLE, POLICY, SCHEDULE, SPEECH_SERVER, download,  # noqa: E402
                             free_udp_port, read_wav, sign_in_admin, wait_until_completed)

# The one resident of the demo city (1000 residents, seed 4) this selects; ages and genders do not
# move with the date.
SEGMENT = 'phone_valid = true and age >= 84 and gender = "女"'
RATE = 8000
SILENCE_SECONDS = 3  # the start of baresip's WAV: the recording's right side is quiet until then
TONE_HZ = 1000
SPOKEN_HZ = 660  # what tests/cases/asr_answers.tsv hears as 知道了
# The opening of policy_notice takes about 18 s at espeak-ng's rate and ignores keys; the question
# follows. Press 1 after it, like SIPp's residents, and again if the call is still up (a key in
# the goodbye is ignored), so a slow machine does not fail the test.
FIRST_KEY_AFTER = 21
KEY_RETRY_EVERY = 5
KEY_TRIES = 3


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def tcp_port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_sip_ports():
    """(sip, control): baresip 1.0.0 takes the SIP port on UDP and TCP, and the next one for TLS
    (always on in Debian's build); ctrl_tcp gets a TCP port clear of both."""
    while True:
        sip = free_udp_port()
        control = free_tcp_port()
        if control not in (sip, sip + 1) and tcp_port_is_free(sip) and tcp_port_is_free(sip + 1):
            return sip, control


def write_resident_wav(path, seconds, loud=lambda t: t >= SILENCE_SECONDS, hz=TONE_HZ):
    """8 kHz mono 16-bit: a tone of `hz` where `loud(second)` holds, silence elsewhere; by
    default SILENCE_SECONDS of silence, then a 1 kHz tone to the end."""
    frames = bytearray()
    for n in range(seconds * RATE):
        level = 8000 if loud(n / RATE) else 0
        frames += struct.pack("<h", int(level * math.sin(2 * math.pi * hz * n / RATE)))
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(frames), b"WAVE", b"fmt ", 16, 1,
                         1, RATE, RATE * 2, 2, 16, b"data", len(frames))
    with open(path, "wb") as f:
        f.write(header + frames)


def rms(samples):
    return (sum(s * s for s in samples) / max(1, len(samples))) ** 0.5


def without_numbers(text):
    """A log excerpt fit for a failure message: no phone numbers, demo or not."""
    return re.sub(r"\d{7,}", "#", text)


class Baresip:
    """baresip in a folder of its own: one account for `number` that answers every call to it,
    audio from `wav`, no player (there is no sound card), ctrl_tcp on a loopback port."""

    def __init__(self, folder, number, wav):
        self.sip_port, self.ctrl_port = free_sip_ports()
        config = "\n".join([
            "sip_listen 127.0.0.1:%d" % self.sip_port,
            # The address in Contact and SDP: loopback, never the host's other addresses.
            "net_interface 127.0.0.1",
            "audio_source aufile,%s" % wav,
            "ctrl_tcp_listen 127.0.0.1:%d" % self.ctrl_port,
            "module_path /usr/lib/baresip/modules",
            "module g711.so",
            "module aufile.so",
            "module_tmp account.so",
            "module_app menu.so",  # auto-answer and the call commands (sndcode)
            "statmode_default off",  # no status line rewritten into the log every 100 ms
            "module_app ctrl_tcp.so",
            ""])
        with open(os.path.join(folder, "config"), "w", encoding="utf-8") as f:
            f.write(config)
        # baresip 1.0.0 gives an INVITE to the account whose user is the request-URI's (catch-all
        # accounts are b2bua's only), so the account is the number Steward dials.
        with open(os.path.join(folder, "accounts"), "w", encoding="utf-8") as f:
            f.write("<sip:%s@127.0.0.1>;regint=0;answermode=auto;audio_codecs=PCMA,PCMU\n" % number)
        self.log_path = os.path.join(folder, "baresip.log")
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(["baresip", "-f", folder, "-4"], cwd=folder,
                                        stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        try:
            self.control = self._connect()
        except BaseException:
            self.process.kill()
            self.process.wait()
            self._log.close()
            raise
        self._buffer = b""  # bytes read from ctrl_tcp, not yet a whole netstring
        self._events = []  # events read while waiting for a response
        self._token = 0

    def _connect(self):
        deadline = time.time() + 10
        while True:
            try:
                return socket.create_connection(("127.0.0.1", self.ctrl_port), timeout=1)
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    raise AssertionError("baresip's ctrl_tcp did not open:\n" + self.log())
                time.sleep(0.1)

    def log(self):
        with open(self.log_path, "rb") as f:
            return without_numbers(f.read().decode("utf-8", "replace"))[-4000:]

    def command(self, command, params=None):
        """Runs one ctrl_tcp command (a netstring of JSON) and returns its response; events that
        arrive meanwhile are kept for wait_for_event."""
        self._token += 1
        token = str(self._token)
        message = {"command": command, "token": token}
        if params is not None:
            message["params"] = params
        body = json.dumps(message).encode()
        self.control.sendall(b"%d:%s," % (len(body), body))
        while True:
            reply = self._receive(10)
            if reply is None:
                raise AssertionError("no response to %s:\n%s" % (command, self.log()))
            if reply.get("response") and reply.get("token") == token:
                return reply
            self._events.append(reply)

    def wait_for_event(self, kind, timeout):
        """Waits for the call event `kind` (CALL_ESTABLISHED, CALL_CLOSED); False at the timeout."""
        deadline = time.time() + timeout
        while True:
            message = self._events.pop(0) if self._events else self._receive(deadline - time.time())
            if message is None:
                return False
            if message.get("event") and message.get("type") == kind:
                return True

    def _receive(self, timeout):
        """The next netstring ctrl_tcp sends (an event or a response), or None by `timeout`."""
        deadline = time.time() + timeout
        while True:
            colon = self._buffer.find(b":")
            if colon > 0:
                end = colon + 1 + int(self._buffer[:colon])
                if len(self._buffer) > end:  # the payload and its closing comma
                    body, self._buffer = self._buffer[colon + 1:end], self._buffer[end + 1:]
                    return json.loads(body)
            left = deadline - time.time()
            if left <= 0:
                return None
            self.control.settimeout(left)
            try:
                chunk = self.control.recv(4096)
            except socket.timeout:
                return None
            if not chunk:
                raise AssertionError("baresip closed ctrl_tcp:\n" + self.log())
            self._buffer += chunk

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.control.close()
        self._log.close()


class BaresipResidentTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()
        self.baresip = None
        self.campaign = None

    def tearDown(self):
        if self.campaign and self.campaign.poll() is None:
            self.campaign.kill()
            self.campaign.wait()
        if self.baresip:
            self.baresip.stop()
        self.work.close()

    def the_residents_number(self, db):
        """The number Steward will dial: the segment's one resident, from an unmasked export."""
        listed = self.work.run("--db", db, "segment", "list", SEGMENT).stdout.splitlines()
        ids = [line.split("\t")[0] for line in listed if "\t" in line]
        self.assertEqual(len(ids), 1, "the segment should select one resident")
        export = os.path.join(self.work.path, "residents.csv")
        self.work.run("--db", db, "export", "residents", "--out", export, "--unmasked")
        with open(export, encoding="utf-8-sig") as f:
            rows = [row for row in csv.DictReader(f) if row["居民编号"] == ids[0]]
        os.remove(export)
        return rows[0]["联系电话"]

    def start_campaign(self, db, port, recordings):
        """`campaign run --wait` in the background: the test presses the key meanwhile."""
        command = [
            BINARY, "--db", db, "campaign", "run", "--script", "policy_notice", "--segment", SEGMENT,
            "--var", "notice=测试通知", "--channel", "sip",
            "--trunk", "sip:{number}@127.0.0.1:%d" % port, "--recordings", recordings,
            "--schedule", SCHEDULE, "--policy", POLICY, "--wait", "--json"]
        env = {k: v for k, v in os.environ.items() if k != "STEWARD_DB"}
        self.campaign = subprocess.Popen(command, cwd=self.work.path, env=env, text=True,
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def press_one_after_the_opening(self):
        """Presses 1 (RFC 4733 from baresip) once the opening is over, until the call ends."""
        self.assertTrue(self.baresip.wait_for_event("CALL_ESTABLISHED", 30),
                        "baresip did not answer:\n" + self.baresip.log())
        if self.baresip.wait_for_event("CALL_CLOSED", FIRST_KEY_AFTER):
            self.fail("the call ended during the opening:\n" + self.baresip.log())
        for _ in range(KEY_TRIES):
            reply = self.baresip.command("sndcode", "1")
            self.assertTrue(reply["ok"], reply)
            if self.baresip.wait_for_event("CALL_CLOSED", KEY_RETRY_EVERY):
                return
        self.fail("Steward did not end the call after the key:\n" + self.baresip.log())

    def city_and_folder(self):
        """A demo city whose segment selects one resident: (its database, the resident's number,
        baresip's folder, the path of the WAV baresip will play)."""
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1000", "--seed", "4")
        number = self.the_residents_number(db)
        folder = os.path.join(self.work.path, "baresip")
        os.mkdir(folder)
        return db, number, folder, os.path.join(folder, "resident.wav")

    def ledger_text(self, db, campaign_id):
        """The campaign's ledger as CSV text."""
        ledger = os.path.join(self.work.path, "ledger.csv")
        self.work.run("--db", db, "campaign", "ledger", campaign_id, "--out", ledger)
        with open(ledger, encoding="utf-8-sig") as f:
            return f.read()

    def test_baresip_answers_presses_one_and_is_recorded(self):
        db, number, folder, wav = self.city_and_folder()
        write_resident_wav(wav, 60)  # longer than the call: at its end aufile would hang up
        self.baresip = Baresip(folder, number, wav)
        recordings = os.path.join(self.work.path, "recordings")
        self.start_campaign(db, self.baresip.sip_port, recordings)

        self.press_one_after_the_opening()
        out, err = self.campaign.communicate(timeout=60)
        self.assertEqual(self.campaign.returncode, 0, without_numbers(err))
        lines = out.strip().splitlines()
        summary = json.loads(lines[-1])
        funnel = summary["funnel"]
        self.assertEqual(summary["campaign"]["state"], "completed", without_numbers(err))
        self.assertEqual(funnel["dialled"], 1, funnel)
        self.assertEqual(funnel["outcomes"].get("answered_completed"), 1, funnel)
        self.assertEqual(funnel["answers"]["receipt"].get("received"), 1, funnel)

        self.assertEqual(self.ledger_text(db, lines[0]).count("已知晓"), 1)

        files = glob.glob(os.path.join(recordings, "*.wav"))
        self.assertEqual(len(files), 1, files)
        rate, channels = read_wav(files[0])
        self.assertEqual(len(channels), 2)
        steward, resident = channels
        self.assertGreater(len(steward) / rate, FIRST_KEY_AFTER, "the opening and the question")
        self.assertGreater(rms(steward), 300, "Steward's voice on the left")
        quiet = rms(resident[:int((SILENCE_SECONDS - 1) * rate)])
        tone = rms(resident[int((SILENCE_SECONDS + 1) * rate):])
        self.assertLess(quiet, 100, "baresip's silence first on the right")
        self.assertGreater(tone, 2000, "baresip's tone on the right")

    def test_baresip_answers_by_voice_a_campaign_started_through_the_api(self):
        db, number, folder, wav = self.city_and_folder()
        # "知道了" (a 660 Hz second) after the opening, said again every few seconds until the
        # call ends; silence otherwise, so nothing is heard during the opening.
        write_resident_wav(wav, 60, hz=SPOKEN_HZ,
                           loud=lambda t: t >= FIRST_KEY_AFTER and (t - FIRST_KEY_AFTER) % 5 < 1)
        log = os.path.join(self.work.path, "speech.jsonl")
        speech = subprocess.Popen([sys.executable, SPEECH_SERVER, "--table", ASR_TABLE, "--log", log],
                                  stdout=subprocess.PIPE, text=True)
        self.addCleanup(speech.wait)
        self.addCleanup(speech.kill)
        port = int(speech.stdout.readline().split()[1])
        self.baresip = Baresip(folder, number, wav)
        # `steward serve` with the trunk and the ASR server, the campaign started as the console
        # starts it.
        server = Server(self.work, "--db", db, env={
            "STEWARD_SIP_TRUNK": "sip:{number}@127.0.0.1:%d" % self.baresip.sip_port,
            "STEWARD_ASR_URL": "http://127.0.0.1:%d" % port})
        self.addCleanup(lambda: server.process.poll() is None and server.stop())
        admin = sign_in_admin(self, self.work, server)
        body = {"script_name": "policy_notice", "query": SEGMENT, "name": "语音回答测试",
                "channel": "sip", "fields": {"notice": "测试通知"},
                "schedule": json.loads(SCHEDULE), "policy": json.loads(POLICY)}
        status, _, created = admin.call("POST", "/api/v1/campaigns", body)
        self.assertEqual(status, 201, created)

        self.assertTrue(self.baresip.wait_for_event("CALL_ESTABLISHED", 30),
                        "baresip did not answer:\n" + self.baresip.log())
        self.assertTrue(self.baresip.wait_for_event("CALL_CLOSED", FIRST_KEY_AFTER + 20),
                        "Steward did not end the call after the spoken answer")
        funnel = wait_until_completed(self, admin, created["id"], 60)["funnel"]
        self.assertEqual(funnel["outcomes"].get("answered_completed"), 1, funnel)
        self.assertEqual(funnel["answers"]["receipt"].get("received"), 1, funnel)
        # The server checked what it was sent: 16 kHz mono, the right length, not silence.
        with open(log, encoding="utf-8") as f:
            heard = [json.loads(line) for line in f]
        self.assertTrue(heard, "Steward sent nothing to the ASR server")
        self.assertTrue(all(h["verdict"] == "ok" and h["rate"] == 16000 for h in heard), heard)
        self.assertTrue(all(1.0 <= h["seconds"] <= 2.5 for h in heard), heard)
        self.assertEqual(heard[0]["text"], "知道了", heard)
        # The ledger holds the words, not a key.
        status, _, ledger = download(admin, "/api/v1/campaigns/%s/ledger?format=csv" % created["id"])
        self.assertEqual(status, 200)
        text = ledger.decode("utf-8-sig")
        self.assertEqual(text.count("已知晓"), 1)
        self.assertIn("知道了", text)
        self.assertNotIn("按键 1", text)
        self.assertEqual(server.stop(), 0)
        self.assertNotRegex(server.log(), r"1999\d{7}", "a resident's number in the server log")

if __name__ == "__main__":
    unittest.main()
