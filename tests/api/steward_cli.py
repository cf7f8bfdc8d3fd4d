"""Helpers for black-box tests of the built `steward` binary (stdlib only)."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.request

BINARY = os.environ.get("STEWARD_BINARY", "")
POSTGRES_URL = os.environ.get("STEWARD_TEST_POSTGRES_URL", "")
POSTGRES_REQUIRED = os.environ.get("STEWARD_REQUIRE_POSTGRES") == "1"
_counter = [0]


def engines():
    """SQLite always; PostgreSQL when configured (and always when required)."""
    found = ["sqlite"]
    if POSTGRES_URL or POSTGRES_REQUIRED:
        found.append("postgres")
    return found


def fresh_db(engine, workdir):
    """The URL of a new, empty database for `engine`."""
    if engine == "sqlite":
        return "sqlite:" + os.path.join(workdir, "data", "steward.db")
    if not POSTGRES_URL:
        raise AssertionError("PostgreSQL is required but STEWARD_TEST_POSTGRES_URL is not set")
    _counter[0] += 1
    name = "steward_api_%d_%d" % (os.getpid(), _counter[0])
    subprocess.run(["psql", POSTGRES_URL, "-q", "-c",
                    "CREATE DATABASE %s TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" % name],
                   check=True, capture_output=True)
    return re.sub(r"/[^/?]*\?", "/%s?" % name, POSTGRES_URL, count=1)


class Workdir:
    """A temporary working folder the binary runs in (so ./data and steward.toml are its own)."""

    def __init__(self):
        self.path = tempfile.mkdtemp(prefix="steward-api-")

    def close(self):
        shutil.rmtree(self.path, ignore_errors=True)

    def run(self, *args, env=None, check=True, timeout=600):
        full_env = dict(os.environ)
        full_env.pop("STEWARD_DB", None)
        full_env.update(env or {})
        result = subprocess.run([BINARY, *args], cwd=self.path, env=full_env, capture_output=True,
                                text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError("steward %s failed (%d):\n%s%s" % (
                " ".join(args), result.returncode, result.stdout, result.stderr))
        return result

    def run_json(self, *args, **kwargs):
        result = self.run(*args, "--json", **kwargs)
        return json.loads(result.stdout.strip().splitlines()[-1])


class Server:
    """`steward serve --listen 127.0.0.1:0`, with the URL it prints on its first line."""

    def __init__(self, workdir, *global_args, env=None):
        self.process = subprocess.Popen([BINARY, *global_args, "serve", "--listen", "127.0.0.1:0"],
                                        cwd=workdir.path, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, **(env or {})})
        self.url = self.process.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.process.kill()
            raise AssertionError("serve printed %r; stderr: %s" % (self.url, self.process.stderr.read()))
        # Read the log as it comes: a full pipe would block the server's next log line.
        self._log = []
        self._reader = threading.Thread(target=lambda: self._log.extend(self.process.stderr),
                                        daemon=True)
        self._reader.start()

    def log(self):
        """Everything the server wrote to stderr so far (all of it once stopped)."""
        if self.process.poll() is not None:
            self._reader.join(timeout=15)
        return "".join(self._log)

    def get(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.headers, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode("utf-8")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        self._reader.join(timeout=15)
        self.process.stdout.close()
        self.process.stderr.close()
        return code
