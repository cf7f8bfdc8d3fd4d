"""Black-box tests of `steward import residents` and `steward export`: what an office sees."""
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import BINARY, Server, Workdir, engines, fresh_db  # noqa: E402

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(first17):
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


HEADER = "姓名,性别,身份证号,出生日期,联系电话,所属社区,人户状态,标签"


class ImportExportTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()

    def tearDown(self):
        self.work.close()

    def path(self, name):
        return os.path.join(self.work.path, name)

    def write(self, name, text, encoding="utf-8"):
        with open(self.path(name), "w", encoding=encoding, newline="") as f:
            f.write(text)
        return self.path(name)

    def test_export_import_round_trip_and_reports_on_each_engine(self):
        for engine in engines():
            with self.subTest(engine=engine):
                db = fresh_db(engine, self.work.path + "/" + engine)
                self.work.run("--db", db, "demo", "--residents", "1500")
                # Masked export: no plain ID numbers; re-importing it changes nothing.
                out = self.work.run_json("--db", db, "export", "residents", "--out", self.path("all.xlsx"))
                self.assertEqual(out["rows"], 1500)
                with zipfile.ZipFile(self.path("all.xlsx")) as z:
                    sheet = z.read("xl/worksheets/sheet1.xml").decode()
                self.assertIn("3311**********", sheet)
                self.assertIn("居民编号", sheet)
                again = self.work.run_json("--db", db, "import", "residents", self.path("all.xlsx"))
                self.assertEqual(again["outcomes"]["ok"], 1500)
                self.assertEqual(again["applied"]["unchanged"], 1500)
                self.assertEqual(again["applied"]["created"], 0)
                # A community's CSV export, unmasked, holds plain numbers.
                self.work.run("--db", db, "export", "residents", "--out", self.path("c.csv"),
                              "--unit", "城东社区", "--unmasked")
                with open(self.path("c.csv"), encoding="utf-8-sig") as f:
                    text = f.read()
                self.assertNotIn("**********", text)
                self.assertIn("城东社区", text)

    def test_bad_rows_abort_by_default_and_skip_on_request(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1000")
        before = self.work.run_json("--db", db, "stats")["residents"]
        good = id_number("33118119560308123")
        bad = good[:-1] + ("1" if good[-1] != "1" else "2")
        path = self.write("mixed.csv", "\n".join([
            HEADER,
            "叶建国,男,%s,,13857801234,城东社区,户在人在,党员" % good,
            "季秀英,女,%s,,,城东社区,," % bad,
            "叶小宝,男,,2024-05-01,,不存在社区,,",
        ]) + "\n")
        result = self.work.run("--db", db, "import", "residents", path, "--json",
                               "--report", self.path("report.xlsx"), check=False)
        self.assertEqual(result.returncode, 1)
        out = json.loads(result.stdout)
        self.assertFalse(out["written"])
        self.assertEqual(out["outcomes"], {"ok": 1, "refused": 2, "conflict": 0})
        problems = {(p["row"], p["column"], p["code"]) for p in out["problems"]}
        self.assertIn((3, "身份证号", "id_number.checksum"), problems)
        self.assertIn((4, "所属社区", "community.unknown"), problems)
        self.assertEqual(self.work.run_json("--db", db, "stats")["residents"], before)
        # The report: every row back, with results and the bad cells noted.
        with zipfile.ZipFile(self.path("report.xlsx")) as z:
            names = z.namelist()
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("未通过", sheet)
        self.assertIn("身份证号校验", sheet)
        self.assertTrue(any("comments" in n for n in names))
        # Dry run with skip: still nothing written.
        self.work.run("--db", db, "import", "residents", path, "--on-error", "skip", "--dry-run",
                      check=False)
        self.assertEqual(self.work.run_json("--db", db, "stats")["residents"], before)
        skipped = self.work.run("--db", db, "import", "residents", path, "--on-error", "skip",
                                "--json", check=False)
        self.assertEqual(json.loads(skipped.stdout)["applied"]["created"], 1)
        self.assertEqual(self.work.run_json("--db", db, "stats")["residents"], before + 1)
        # Command-line writes and exports are audited too; the chain holds.
        self.work.run("--db", db, "export", "residents", "--out", self.path("u.csv"), "--unmasked")
        database = sqlite3.connect(db[len("sqlite:"):])
        actions = [json.loads(detail) | {"action": action} for action, detail in database.execute(
            "SELECT action, detail FROM audit_log ORDER BY seq")]
        database.close()
        self.assertIn({"action": "import.commit", "file": "mixed.csv", "created": 1, "updated": 0,
                       "refused": 2}, actions)
        self.assertTrue(any(a["action"] == "export.residents" and a["unmasked"] for a in actions))
        self.assertEqual(self.work.run("--db", db, "audit", "verify", check=False).returncode, 0)

    def test_an_import_killed_half_way_is_rolled_back_by_the_running_server(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1000")
        before = self.work.run_json("--db", db, "stats")["residents"]
        lines = [HEADER]
        day = datetime.date(1960, 1, 1)
        for i in range(30000):
            birth = day + datetime.timedelta(days=i // 400)
            first17 = "331181" + birth.strftime("%Y%m%d") + "%03d" % (i % 400 + 100)
            lines.append("居民%d,,%s,,,城东社区,户在人在," % (i, id_number(first17)))
        path = self.write("big.csv", "\n".join(lines) + "\n")
        server = Server(self.work, "--db", db)
        try:
            importer = subprocess.Popen([BINARY, "--db", db, "import", "residents", path],
                                        cwd=self.work.path, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
            # Kill it once some chunks are committed and more are to come.
            database = sqlite3.connect(db[len("sqlite:"):], timeout=30)
            deadline = time.time() + 300
            while time.time() < deadline and importer.poll() is None:
                row = database.execute("SELECT max(applied_through_row) FROM import_job "
                                       "WHERE state = 'applying'").fetchone()
                if row[0] and row[0] > 1:
                    importer.kill()
                    break
                time.sleep(0.02)
            self.assertIsNone(importer.returncode, "the import ended before it could be killed")
            importer.wait()
            half = database.execute("SELECT count(*) FROM resident").fetchone()[0]
            self.assertGreater(half, before)
            # The server notices within seconds and rolls it back.
            deadline = time.time() + 60
            state = None
            while time.time() < deadline:
                state = database.execute("SELECT state FROM import_job").fetchone()[0]
                if state == "rolled_back":
                    break
                time.sleep(0.2)
            self.assertEqual(state, "rolled_back")
            database.close()
        finally:
            self.assertEqual(server.stop(), 0)
        self.assertEqual(self.work.run_json("--db", db, "stats")["residents"], before)

    def test_gb18030_csv_with_a_title_row(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1000")
        path = self.write("gbk.csv", "城东社区人口信息采集表\r\n" + HEADER + "\r\n" +
                          "叶建国,男,%s,1956年3月8日,,城东社区,户在人在,独居\r\n"
                          % id_number("33118119560308123"), encoding="gb18030")
        out = self.work.run_json("--db", db, "import", "residents", path)
        self.assertEqual(out["encoding"], "GB18030")
        self.assertEqual(out["header_row"], 2)
        self.assertEqual(out["applied"]["created"], 1)

    def test_files_that_cannot_be_imported_get_one_clear_error(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "migrate")
        cases = {
            "empty.csv": (b"", "文件为空"),
            "picture.xlsx": (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "不是可识别的表格文件"),
            "nohead.csv": ("随便,写点\n1,2\n".encode(), "找不到表头"),
            "missing.csv": ("姓名,身份证号\n叶建国,%s\n" % id_number("33118119560308123")).encode(),
        }
        cases["missing.csv"] = (cases["missing.csv"], "所属社区")
        for name, (content, expected) in cases.items():
            with self.subTest(file=name):
                with open(self.path(name), "wb") as f:
                    f.write(content)
                result = self.work.run("--db", db, "import", "residents", self.path(name), check=False)
                self.assertEqual(result.returncode, 2, result.stderr)
                self.assertIn(expected, result.stderr)
                self.assertNotIn("Traceback", result.stderr)

    def test_template_has_notes_and_drop_downs(self):
        db = fresh_db("sqlite", self.work.path)
        self.work.run("--db", db, "export", "template", "--out", self.path("t.xlsx"))
        with zipfile.ZipFile(self.path("t.xlsx")) as z:
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
            names = z.namelist()
            text = "".join(z.read(n).decode("utf-8", "ignore") for n in names if n.endswith(".xml"))
        self.assertIn("dataValidation", sheet)
        for header in ("姓名", "身份证号", "所属社区", "人户状态", "户在人不在", "与户主关系"):
            self.assertIn(header, text)
        self.assertTrue(any("comments" in n for n in names))


if __name__ == "__main__":
    unittest.main(verbosity=2)
