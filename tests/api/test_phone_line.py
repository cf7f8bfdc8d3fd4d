"""A campaign on the real phone line: `steward campaign run --channel sip` calls about twenty of a
small demo city's residents through a trunk that is SIPp (Debian's sip-tester) on a free loopback
port, speaking the built-in policy_notice script with espeak-ng; every resident answers, presses 1
(RFC 4733) after the opening of policy_notice, and the ledger, the funnel and the recordings must
show it. Without a voice (a TTS server that does not answer) nobody is called. `steward serve`
with a trunk calls a campaign started through the API, with a recorded prompt staff uploaded for
its goodbye. Real time by nature: about a minute."""
import glob
import json
import math
import os
import socket
import struct
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import Server, Workdir, fresh_db  # noqa: E402
from test_http_api import PASSWORD, Client  # noqa: E402

SCENARIO = os.path.join(os.path.dirname(__file__), "..", "voice", "sipp", "campaign_resident.xml")
SPEECH_SERVER = os.path.join(os.path.dirname(__file__), "..", "voice", "openai_speech_server.py")
ASR_TABLE = os.path.join(os.path.dirname(__file__), "..", "cases", "asr_answers.tsv")
ALL_DAY = [["00:00", "23:59"]]
SCHEDULE = json.dumps({"windows": {day: ALL_DAY for day in
                                   ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday")}})
POLICY = json.dumps({"max_concurrent": 40, "max_calls_per_second": 10, "max_attempts": 1})


def free_udp_port():
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port not in (5060, 5070):
            return port


def read_wav(path):
    """(rate, [samples of each channel]) of a 16-bit PCM WAV."""
    with open(path, "rb") as f:
        data = f.read()
    channels = struct.unpack_from("<H", data, 22)[0]
    rate = struct.unpack_from("<I", data, 24)[0]
    at = data.index(b"data") + 8
    count = (len(data) - at) // 2
    samples = struct.unpack("<%dh" % count, data[at:at + count * 2])
    return rate, [samples[c::channels] for c in range(channels)]


def tone_wav(seconds, hz, rate=44100):
    """A 16-bit stereo WAV at CD rate: a sound file as staff would upload it."""
    frames = bytearray()
    for n in range(int(seconds * rate)):
        value = int(8000 * math.sin(2 * math.pi * hz * n / rate))
        frames += struct.pack("<hh", value, value)
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(frames), b"WAVE", b"fmt ", 16, 1,
                         2, rate, rate * 4, 4, 16, b"data", len(frames))
    return header + bytes(frames)


def tone_seconds(samples, rate, hz):
    """How long `samples` hold a pure tone of `hz`: 100 ms windows whose power is nearly all at
    that frequency (Goertzel), the longest run of them, in seconds. Speech never is."""
    window = rate // 10
    coefficient = 2 * math.cos(2 * math.pi * hz / rate)
    longest = run = 0
    for start in range(0, len(samples) - window, window):
        part = samples[start:start + window]
        total = sum(x * x for x in part)
        s1 = s2 = 0.0
        for x in part:
            s1, s2 = x + coefficient * s1 - s2, s1
        power = (s1 * s1 + s2 * s2 - coefficient * s1 * s2) * 2 / window
        run = run + 1 if total > 0 and power / total > 0.8 and total / window > 1e5 else 0
        longest = max(longest, run)
    return longest / 10


def wav_channels_rms(path):
    """(channels, seconds, RMS of the left channel) of a 16-bit PCM WAV."""
    rate, channels = read_wav(path)
    left = channels[0]
    rms = (sum(s * s for s in left) / max(1, len(left))) ** 0.5
    return len(channels), len(left) / rate, rms


def sign_in_admin(test, work, server):
    """The server's admin, signed in with the initial password and then the test password."""
    with open(os.path.join(work.path, "data", "initial-admin.txt"), encoding="utf-8") as f:
        initial = [line.split(":", 1)[1].strip() for line in f if line.startswith("密码")][0]
    admin = Client(server.url)
    test.assertEqual(admin.login("admin", initial)[0], 200)
    admin.call("POST", "/api/v1/auth/password", {"old_password": initial, "new_password": PASSWORD})
    return admin


def wait_until_completed(test, client, campaign_id, seconds=120):
    """The campaign once it is completed (the test fails if it is not within `seconds`)."""
    deadline = time.time() + seconds
    while True:
        status, _, campaign = client.call("GET", "/api/v1/campaigns/" + campaign_id)
        test.assertEqual(status, 200, campaign)
        if campaign["state"] == "completed" or time.time() > deadline:
            break
        time.sleep(0.5)
    test.assertEqual(campaign["state"], "completed", campaign)
    return campaign


def download(client, path):
    """GET `path` as the signed-in client; (status, headers, bytes)."""
    try:
        with client.opener.open(urllib.request.Request(client.url + path), timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class PhoneLineTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()
        self.sipp = None

    def tearDown(self):
        if self.sipp and self.sipp.poll() is None:
            self.sipp.kill()
            self.sipp.wait()
        self.work.close()

    def start_residents(self):
        """SIPp playing every resident the campaign calls; returns its SIP port."""
        port = free_udp_port()
        self.sipp = subprocess.Popen(
            ["sipp", "-sf", SCENARIO, "-i", "127.0.0.1", "-p", str(port), "-mi", "127.0.0.1",
             "-mp", str(free_udp_port()), "-nostdin", "-timeout", "300s", "-l", "100",
             "-trace_err", "-error_file", os.path.join(self.work.path, "sipp-errors.log")],
            cwd=self.work.path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        return port

    def test_campaign_calls_sipp_residents_and_fills_the_ledger(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1000", "--seed", "4")
        segment = "phone_valid = true and age >= 81"  # about twenty residents of this city
        port = self.start_residents()
        recordings = os.path.join(self.work.path, "recordings")
        out = self.work.run(
            "--db", db, "campaign", "run", "--script", "policy_notice", "--segment", segment,
            "--var", "notice=测试通知", "--channel", "sip",
            "--trunk", "sip:{number}@127.0.0.1:%d" % port, "--recordings", recordings,
            "--schedule", SCHEDULE, "--policy", POLICY, "--wait", "--json", timeout=240)
        lines = out.stdout.strip().splitlines()
        campaign_id = lines[0]
        summary = json.loads(lines[-1])
        funnel = summary["funnel"]
        self.assertEqual(summary["campaign"]["state"], "completed", out.stderr)
        dialled = funnel["dialled"]
        self.assertGreaterEqual(dialled, 18, funnel)
        # Every resident SIPp played answered and pressed 1 after the opening.
        self.assertEqual(funnel["outcomes"].get("answered_completed"), dialled, funnel)
        self.assertEqual(funnel["answers"]["receipt"].get("received"), dialled, funnel)

        ledger = os.path.join(self.work.path, "ledger.csv")
        self.work.run("--db", db, "campaign", "ledger", campaign_id, "--out", ledger)
        with open(ledger, encoding="utf-8-sig") as f:
            text = f.read()
        self.assertEqual(text.count("已知晓"), dialled, text[:2000])
        self.assertEqual(text.count(".wav"), dialled, text[:2000])  # 录音: each call's file

        files = sorted(glob.glob(os.path.join(recordings, "*.wav")))
        self.assertEqual(len(files), dialled)
        for path in files:
            channels, seconds, left_rms = wav_channels_rms(path)
            self.assertEqual(channels, 2, path)
            self.assertGreater(seconds, 8, path)  # the opening and the question at least
            self.assertGreater(left_rms, 300, path)  # Steward's voice on the left

    def test_nobody_is_called_when_the_voice_cannot_speak(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1000", "--seed", "4")
        port = self.start_residents()
        # A TTS server nobody listens on: the prompts cannot be rendered before the first call.
        out = self.work.run(
            "--db", db, "campaign", "run", "--script", "policy_notice", "--segment",
            "phone_valid = true and age >= 84", "--var", "notice=测试通知", "--channel", "sip",
            "--trunk", "sip:{number}@127.0.0.1:%d" % port, "--schedule", SCHEDULE,
            "--policy", POLICY, "--wait", "--json", env={"STEWARD_TTS_URL": "http://127.0.0.1:1"},
            check=False, timeout=120)
        self.assertNotEqual(out.returncode, 0, out.stdout)
        self.assertIn("语音合成不可用", out.stdout + out.stderr)
        campaign_id = out.stdout.strip().splitlines()[0]
        status = self.work.run_json("--db", db, "campaign", "status", campaign_id)
        self.assertGreater(status["campaign"]["targeted"], 0, status)
        self.assertEqual(status["funnel"]["dialled"], 0, status)

    def test_server_dials_nobody_until_its_voice_speaks(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1000", "--seed", "4")
        port = self.start_residents()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            tts_port = probe.getsockname()[1]
        # The TTS server is not up yet: the campaign starts, and nobody is dialled.
        server = Server(self.work, "--db", db, env={
            "STEWARD_SIP_TRUNK": "sip:{number}@127.0.0.1:%d" % port,
            "STEWARD_TTS_URL": "http://127.0.0.1:%d" % tts_port})
        speech = None
        try:
            admin = sign_in_admin(self, self.work, server)
            body = {"script_name": "policy_notice", "query": "phone_valid = true and age >= 84",
                    "name": "语音故障测试", "channel": "sip", "fields": {"notice": "测试通知"},
                    "schedule": json.loads(SCHEDULE), "policy": json.loads(POLICY)}
            status, _, created = admin.call("POST", "/api/v1/campaigns", body)
            self.assertEqual(status, 201, created)
            time.sleep(4)
            status, _, campaign = admin.call("GET", "/api/v1/campaigns/" + created["id"])
            self.assertEqual((campaign["state"], campaign["funnel"]["dialled"]), ("running", 0),
                             campaign)
            self.assertIn("语音合成失败", campaign.get("waiting", ""), campaign)
            self.assertIn("no calls placed", server.log())
            # It speaks: the calls go, and every one ends.
            speech = subprocess.Popen(
                [sys.executable, SPEECH_SERVER, "--table", ASR_TABLE, "--port", str(tts_port)],
                stdout=subprocess.PIPE, text=True)
            self.assertEqual(speech.stdout.readline().split(), ["PORT", str(tts_port)])
            campaign = wait_until_completed(self, admin, created["id"], 120)
            self.assertGreater(campaign["funnel"]["dialled"], 0, campaign)
            self.assertNotIn("waiting", campaign)
            self.assertEqual(server.stop(), 0)
        finally:
            if speech:
                speech.kill()
                speech.wait()
            if server.process.poll() is None:
                server.stop()

    @staticmethod
    def upload(client, path, data):
        """POST `data` as the body (a file upload); (status, JSON answer)."""
        status, _, body = client.call("POST", path, raw=data,
                                      headers={"Content-Type": "application/octet-stream"})
        return status, body

    def test_server_with_a_trunk_calls_a_campaign_started_through_the_api(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1000", "--seed", "4")
        port = self.start_residents()
        server = Server(self.work, "--db", db,
                        env={"STEWARD_SIP_TRUNK": "sip:{number}@127.0.0.1:%d" % port})
        try:
            admin = sign_in_admin(self, self.work, server)
            # Staff record the goodbye (a fixed text of policy_notice) as a 500 Hz tone: the calls
            # must say it from the recording, not with espeak-ng.
            status, _, listed = admin.call("GET", "/api/v1/prompts?script=policy_notice")
            self.assertEqual(status, 200, listed)
            goodbye = "感谢您的收听，再见。"
            self.assertIn({"text": goodbye, "recorded": None}, listed["pieces"])
            status, saved = self.upload(admin, "/api/v1/prompts?" + urllib.parse.urlencode(
                {"name": "结束语", "text": goodbye}), tone_wav(1.5, 500))
            self.assertEqual(status, 201, saved)
            self.assertEqual((saved["name"], saved["text"]), ("结束语", goodbye))
            self.assertAlmostEqual(saved["duration_ms"], 1500, delta=5)
            status, _ = self.upload(admin, "/api/v1/prompts?name=bad", b"not a sound file")
            self.assertEqual(status, 400)
            status, _, listed = admin.call("GET", "/api/v1/prompts?script=policy_notice")
            self.assertIn({"text": goodbye, "recorded": "结束语"}, listed["pieces"])
            status, headers, played = download(
                admin, "/api/v1/prompts/audio?" + urllib.parse.urlencode({"name": "结束语"}))
            self.assertEqual((status, headers["Content-Type"]), (200, "audio/wav"))
            body = {"script_name": "policy_notice", "query": "phone_valid = true and age >= 84",
                    "name": "电话线路测试", "channel": "sip", "fields": {"notice": "测试通知"},
                    "schedule": json.loads(SCHEDULE), "policy": json.loads(POLICY)}
            status, _, created = admin.call("POST", "/api/v1/campaigns", body)
            self.assertEqual(status, 201, created)
            campaign = wait_until_completed(self, admin, created["id"])
            funnel = campaign["funnel"]
            self.assertGreaterEqual(funnel["dialled"], 2, funnel)
            self.assertEqual(funnel["outcomes"].get("answered_completed"), funnel["dialled"], funnel)
            recordings = glob.glob(os.path.join(self.work.path, "data", "recordings", "*.wav"))
            self.assertEqual(len(recordings), funnel["dialled"])
            # The console lists each call with its recording and plays it from the API.
            path = "/api/v1/campaigns/" + created["id"]
            status, _, calls = admin.call("GET", path + "/calls?limit=500")
            self.assertEqual(status, 200, calls)
            recorded = [each for each in calls["items"] if each["recording"]]
            self.assertEqual(len(recorded), funnel["dialled"], calls)
            status, headers, wav = download(admin, path + "/calls/%s/recording" % recorded[0]["id"])
            self.assertEqual(status, 200)
            self.assertEqual(headers["Content-Type"], "audio/wav")
            saved = os.path.join(self.work.path, "downloaded.wav")
            with open(saved, "wb") as f:
                f.write(wav)
            channels, seconds, left_rms = wav_channels_rms(saved)
            self.assertEqual((channels, seconds > 8, left_rms > 300), (2, True, True))
            for each in recordings:
                rate, (left, _) = read_wav(each)
                self.assertGreater(tone_seconds(left, rate, 500), 1.2, "the recorded goodbye")
            self.assertEqual(download(admin, path + "/calls/1/recording")[0], 404)
            status, _, ledger = download(admin, path + "/ledger?format=csv")
            self.assertEqual(status, 200)
            for each in recorded:
                self.assertIn(each["id"] + ".wav", ledger.decode("utf-8-sig"))
            self.assertEqual(server.stop(), 0)
            self.assertNotRegex(server.log(), r"1999\d{7}", "a resident's number in the server log")
        finally:
            if server.process.poll() is None:
                server.stop()


if __name__ == "__main__":
    unittest.main()
