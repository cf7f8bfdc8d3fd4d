#!/usr/bin/env python3
"""A small speech server speaking the OpenAI-compatible protocol Steward's speech plug-ins use,
for their protocol tests. It checks what it receives and says what was wrong (HTTP 400 with the
reason) rather than guessing:

  POST /v1/audio/speech          JSON {model, input, voice, response_format: "wav"}
      -> a 24 kHz mono WAV: a 440 Hz tone of 0.1 s per character of `input` (so a test can tell
         its text arrived whole), with 50 ms of silence before and after.
  POST /v1/audio/transcriptions  multipart: file (WAV), model, language, response_format
      -> checks the WAV (16 kHz, mono, 16-bit; 0.2 to 15 s long; not silence), finds its loudest
         tone's frequency by zero crossings and answers {"text": ...} from the table
         (tests/cases/asr_answers.tsv: frequency in Hz, then the text; within 10 %), or "" when
         no row matches.

Every request is appended to --log as one JSON line: path, what was checked, and the verdict.
With --api-key, a request without "Authorization: Bearer KEY" is refused with 401.

    openai_speech_server.py --table T.tsv [--log L.jsonl] [--api-key K] [--port N]
prints "PORT <n>" when it listens on 127.0.0.1 (a free port unless --port), then serves until
killed."""
import argparse
import email.parser
import email.policy
import io
import json
import math
import struct
import sys
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TTS_RATE = 24000
ASR_RATE = 16000


def tone_wav(seconds, hz=440, rate=TTS_RATE):
    pad = [0] * int(rate * 0.05)
    body = [int(8000 * math.sin(2 * math.pi * hz * i / rate)) for i in range(int(rate * seconds))]
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(struct.pack("<%dh" % (len(pad) * 2 + len(body)), *(pad + body + pad)))
    return out.getvalue()


def loudest_frequency(samples, rate):
    """The frequency of the loud part (|x| above a quarter of the peak), by zero crossings."""
    peak = max(abs(x) for x in samples)
    loud = [i for i, x in enumerate(samples) if abs(x) > peak / 4]
    part = samples[loud[0]:loud[-1] + 1]
    crossings = sum(1 for a, b in zip(part, part[1:]) if (a < 0) != (b < 0))
    return crossings / 2 / (len(part) / rate)


class Handler(BaseHTTPRequestHandler):
    table = []
    log_path = None
    api_key = None

    def log_message(self, *args):  # quiet: the JSON log is the record
        pass

    def record(self, entry):
        if self.log_path:
            with open(self.log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def answer(self, status, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def refuse(self, entry, reason, status=400):
        entry["verdict"] = reason
        self.record(entry)
        self.answer(status, {"error": {"message": reason}})

    def do_POST(self):
        entry = {"path": self.path}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.api_key and self.headers.get("Authorization") != "Bearer " + self.api_key:
            return self.refuse(entry, "bad or missing api key", 401)
        if self.path == "/v1/audio/speech":
            return self.speech(entry, body)
        if self.path == "/v1/audio/transcriptions":
            return self.transcription(entry, body)
        return self.refuse(entry, "no such endpoint", 404)

    def speech(self, entry, body):
        try:
            request = json.loads(body)
        except ValueError:
            return self.refuse(entry, "body is not JSON")
        entry["request"] = request
        for field in ("model", "input", "voice"):
            if not isinstance(request.get(field), str) or not request[field]:
                return self.refuse(entry, "missing " + field)
        if request.get("response_format") != "wav":
            return self.refuse(entry, "response_format must be wav")
        entry["verdict"] = "ok"
        self.record(entry)
        self.answer(200, tone_wav(0.1 * len(request["input"])), "audio/wav")

    def transcription(self, entry, body):
        content_type = self.headers.get("Content-Type", "")
        if not content_type.startswith("multipart/form-data"):
            return self.refuse(entry, "not multipart/form-data")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        fields, wav_bytes = {}, None
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                wav_bytes = part.get_payload(decode=True)
                entry["file_type"] = part.get_content_type()
            else:
                fields[name] = part.get_payload(decode=True).decode()
        entry["fields"] = fields
        if not fields.get("model"):
            return self.refuse(entry, "missing model")
        if fields.get("language") != "zh":
            return self.refuse(entry, "language must be zh")
        if wav_bytes is None:
            return self.refuse(entry, "missing file")
        try:
            with wave.open(io.BytesIO(wav_bytes)) as wav:
                rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
                frames = wav.readframes(wav.getnframes())
        except (wave.Error, EOFError) as error:
            return self.refuse(entry, "file is not a WAV: %s" % error)
        samples = list(struct.unpack("<%dh" % (len(frames) // 2), frames)) if width == 2 else []
        seconds = len(samples) / rate if rate else 0
        entry.update(rate=rate, channels=channels, width=width, seconds=round(seconds, 3))
        if (rate, channels, width) != (ASR_RATE, 1, 2):
            return self.refuse(entry, "want 16 kHz mono 16-bit, got %d Hz %d ch %d bytes" %
                               (rate, channels, width))
        if not 0.2 <= seconds <= 15:
            return self.refuse(entry, "duration %.2f s out of range" % seconds)
        level = math.sqrt(sum(x * x for x in samples) / len(samples))
        entry["rms"] = round(level)
        if level < 300:
            return self.refuse(entry, "silence")
        hz = loudest_frequency(samples, rate)
        entry["hz"] = round(hz)
        text = ""
        for row_hz, row_text in self.table:
            if abs(hz - row_hz) <= row_hz * 0.1:
                text = row_text
        entry["verdict"] = "ok"
        entry["text"] = text
        self.record(entry)
        self.answer(200, {"text": text})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--table", required=True)
    parser.add_argument("--log")
    parser.add_argument("--api-key")
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    args = parser.parse_args()
    with open(args.table, encoding="utf-8") as rows:
        Handler.table = [(float(hz), text) for hz, text in
                         (line.rstrip("\n").split("\t", 1) for line in rows
                          if line.strip() and not line.startswith("#"))]
    Handler.log_path = args.log
    Handler.api_key = args.api_key
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("PORT %d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
