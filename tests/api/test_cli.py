"""Black-box tests of the `steward` binary: CLI, configuration, serve, personal data at rest."""
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import Server, Workdir, engines, fresh_db  # noqa: E402

ID_PATTERN = re.compile(rb"(?<![0-9])[1-9][0-9]{16}[0-9X](?![0-9])")
DEMO_PHONE_PATTERN = re.compile(rb"(?<![0-9])1999[0-9]{7}(?![0-9])")
HEX = re.compile(rb"[0-9a-fA-F]*")
BASE64 = re.compile(rb"[A-Za-z0-9+/=_-]*")


def inside_a_token(raw, match):
    """Whether `match` is part of a lookup hash (32+ hex characters) or a sealed value (40+
    base64 characters): digits that only look like a phone there."""
    for alphabet, least in ((HEX, 32), (BASE64, 40)):
        start = match.start()
        while start > 0 and alphabet.fullmatch(raw[start - 1:start]):
            start -= 1
        end = alphabet.match(raw, match.end()).end()
        if end - start >= least:
            return True
    return False


def plain_phones(raw):
    return [m.group() for m in DEMO_PHONE_PATTERN.finditer(raw) if not inside_a_token(raw, m)]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def valid_id(number):
    """An ID number: a real-looking birth date and a matching check character (entity ids are
    18 digits too, but their middle digits are no date)."""
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if not (1880 <= year <= 2030 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(c) * w for c, w in zip(number[:17].decode(), WEIGHTS))
    return "10X98765432"[total % 11] == chr(number[17])


class CliTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()

    def tearDown(self):
        self.work.close()

    def test_version(self):
        out = self.work.run_json("version")
        self.assertEqual(out["name"], "steward")
        self.assertRegex(out["version"], r"^\d+\.\d+\.\d+$")

    def test_small_demo_and_stats_on_each_engine(self):
        for engine in engines():
            with self.subTest(engine=engine):
                db = fresh_db(engine, self.work.path)
                built = self.work.run_json("--db", db, "demo", "--residents", "2000", "--seed", "3")
                self.assertTrue(built["built"])
                stats = self.work.run_json("--db", db, "stats")
                for key, value in {"streets": 3, "communities": 28, "grids": 239,
                                   "micro_grids": 1388, "complexes": 46, "residents": 2000}.items():
                    self.assertEqual(stats[key], value, key)
                by_status = stats["residents_by_status"]
                self.assertEqual(sum(by_status[k] for k in ("both", "resident_only", "registered_only")),
                                 2000)
                self.assertGreater(stats["households"], 500)
                self.assertGreater(stats["buildings"], 0)
                # Segment counts agree with the figures, and on SQLite with the file itself.
                for status in ("both", "resident_only", "registered_only"):
                    out = self.work.run("--db", db, "segment", "count",
                                        'residence_status = "%s"' % status)
                    self.assertEqual(int(out.stdout.strip().splitlines()[-1]), by_status[status])
                counted = self.work.run_json("--db", db, "segment", "count",
                                             "has(独居) and not phone_valid")
                self.assertEqual(counted["explain"][-1]["cardinality"], counted["count"])
                if engine == "sqlite":
                    with sqlite3.connect(db[len("sqlite:"):]) as conn:
                        (expected,) = conn.execute(
                            "SELECT count(*) FROM resident r JOIN resident_tag t ON "
                            "t.resident_id = r.id AND t.tag_code = 'lives_alone' WHERE "
                            "r.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM resident_phone p "
                            "WHERE p.resident_id = r.id)").fetchone()
                    self.assertEqual(counted["count"], expected)
                bad = self.work.run("--db", db, "segment", "count", "age >= 60 and", check=False)
                self.assertEqual(bad.returncode, 2)
                self.assertIn("column", bad.stderr)
                # A second demo is refused with a clear message; --if-empty is a no-op.
                again = self.work.run("--db", db, "demo", "--residents", "2000", check=False)
                self.assertNotEqual(again.returncode, 0)
                self.assertIn("already", again.stderr)
                self.assertEqual(self.work.run("--db", db, "demo", "--if-empty").returncode, 0)
                # The build is audited once (the refused and the skipped run are not); the chain holds.
                entries = self.audit_entries(db)
                self.assertEqual([(e[0], e[1]) for e in entries], [("system:cli", "demo.build")])
                detail = json.loads(entries[0][2])
                self.assertEqual((detail["residents"], detail["seed"]), (2000, 3))
                verify = self.work.run_json("--db", db, "audit", "verify")
                self.assertTrue(verify["ok"], verify)
                self.assertIn("1 entries", verify["report"])
                # explain ends with the count; list shows masked residents and is audited.
                query = "age >= 60 and has(独居)"
                total = int(self.work.run("--db", db, "segment", "count", query)
                            .stdout.strip().splitlines()[-1])
                explain = self.work.run("--db", db, "segment", "explain", query).stdout
                self.assertIn("has(独居)", explain)
                self.assertIn("共 %d 人" % total, explain.strip().splitlines()[-1])
                listed = self.work.run_json("--db", db, "segment", "list", "--limit", "5", query)
                self.assertEqual(listed["total"], total)
                self.assertEqual(len(listed["items"]), min(5, total))
                for item in listed["items"]:
                    if item["id_number"] is not None:
                        self.assertRegex(item["id_number"], r"^\d{4}\*{10}\d{3}[\dX]$")
                    if item["phone"] is not None:
                        self.assertIn("****", item["phone"])
                last = self.audit_entries(db)[-1]
                self.assertEqual((last[0], last[1]), ("system:cli", "segment.list"))
                self.assertEqual(json.loads(last[2])["rows"], len(listed["items"]))

    def audit_entries(self, db):
        """(actor, action, detail) of every audit entry, in order, read from the database."""
        query = "SELECT actor, action, detail FROM audit_log ORDER BY seq"
        if db.startswith("sqlite:"):
            with sqlite3.connect(os.path.join(self.work.path, db[len("sqlite:"):])) as connection:
                return connection.execute(query).fetchall()
        out = subprocess.run(["psql", db, "-At", "-F", "\t", "-c", query], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines()]

    def test_personal_data_is_not_in_the_sqlite_file(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "2000")
        raw = b""
        for name in os.listdir(os.path.join(self.work.path, "data")):
            if name.startswith("steward.db"):
                with open(os.path.join(self.work.path, "data", name), "rb") as f:
                    raw += f.read()
        ids = [m for m in ID_PATTERN.findall(raw) if valid_id(m)]
        self.assertEqual(ids, [], "plain ID numbers found in the database file")
        self.assertEqual(plain_phones(raw), [], "plain phone numbers in the file")
        # Masked forms are there for display.
        self.assertRegex(raw, rb"3311\*{10}[0-9]{3}[0-9X]")
        self.assertRegex(raw, rb"199\*{4}[0-9]{4}")
        key = os.path.join(self.work.path, "data", "pii.key")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)

    def test_org_bootstrap_any_county(self):
        for engine in engines():
            with self.subTest(engine=engine):
                db = fresh_db(engine, self.work.path + "/" + engine)
                out = self.work.run_json("--db", db, "org", "bootstrap", "--division", "110101")
                self.assertEqual(out["city"], "东城区")
                self.assertGreater(out["streets"], 10)
                self.assertGreater(out["communities"], 100)
                stats = self.work.run_json("--db", db, "stats")
                self.assertEqual(stats["streets"], out["streets"])
                self.assertEqual(stats["communities"], out["communities"] + out["villages"])
                entries = self.audit_entries(db)
                self.assertEqual([(e[0], e[1]) for e in entries], [("system:cli", "org.bootstrap")])
                self.assertEqual(json.loads(entries[0][2])["streets"], out["streets"])
                self.assertTrue(self.work.run_json("--db", db, "audit", "verify")["ok"])
                twice = self.work.run("--db", db, "org", "bootstrap", "--division", "110101",
                                      check=False)
                self.assertNotEqual(twice.returncode, 0)
                self.assertIn("already", twice.stderr)
        bad = self.work.run("org", "bootstrap", "--division", "999999", check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("999999", bad.stderr)

    def test_bad_database_url_is_a_clear_error(self):
        result = self.work.run("--db", "mysql://x", "stats", check=False)
        self.assertEqual(result.returncode, 2)
        self.assertIn("unknown database URL", result.stderr)

    def test_settings_file_then_environment_then_flags(self):
        with open(os.path.join(self.work.path, "steward.toml"), "w") as f:
            f.write('[database]\nurl = "sqlite:./from-toml.db"\n')
        self.work.run("migrate")
        self.assertTrue(os.path.exists(os.path.join(self.work.path, "from-toml.db")))
        self.work.run("migrate", env={"STEWARD_DB": "sqlite:./from-env.db"})
        self.assertTrue(os.path.exists(os.path.join(self.work.path, "from-env.db")))
        self.work.run("--db", "sqlite:./from-flag.db", "migrate", env={"STEWARD_DB": "sqlite:./x.db"})
        self.assertTrue(os.path.exists(os.path.join(self.work.path, "from-flag.db")))
        self.assertFalse(os.path.exists(os.path.join(self.work.path, "x.db")))
        out = self.work.run_json("migrate")
        self.assertGreaterEqual(out["schema_version"], 1)

    def test_serve_on_a_free_port(self):
        # A console folder of its own: whether web/dist is built yet must not matter here.
        console = os.path.join(self.work.path, "console")
        os.makedirs(console)
        with open(os.path.join(console, "index.html"), "w", encoding="utf-8") as page:
            page.write("<!doctype html><title>城市管家</title>")
        server = Server(self.work, env={"STEWARD_STATIC_DIR": console})
        try:
            status, headers, body = server.get("/healthz")
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["status"], "ok")
            status, _, body = server.get("/api/v1/version")
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["name"], "steward")
            status, headers, body = server.get("/")
            self.assertEqual(status, 200)
            self.assertIn("城市管家", body)
            # A page path without a file is the console (it routes by hash);
            # a missing asset and an unknown API path are 404s, the API's in JSON.
            status, _, body = server.get("/no/such/page")
            self.assertEqual(status, 200)
            self.assertIn("城市管家", body)
            status, _, body = server.get("/assets/no-such-file.js")
            self.assertEqual(status, 404)
            status, _, body = server.get("/api/v1/no/such/page")
            self.assertEqual(status, 404)
            self.assertEqual(json.loads(body)["error"]["code"], "not_found")
        finally:
            self.assertEqual(server.stop(), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
