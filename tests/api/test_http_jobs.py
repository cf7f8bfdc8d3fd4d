"""Black-box tests of imports and exports as background jobs on `steward serve`, on both engines.

Upload a sheet with good and bad rows -> preview; dry run -> problems, nothing written; the report
workbook; commit with skip, followed by Server-Sent Events; exports (xlsx and csv) of a unit with
the right rows and masked numbers; unmasked exports need the permission and a purpose; an importer
scoped to one grid cannot import rows into another; jobs are their owner's.
"""
import csv
import datetime
import io
import json
import os
import sys
import time
import unittest
import urllib.parse
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import Workdir, engines  # noqa: E402
from test_http_api import add_user, id_number, serve_demo  # noqa: E402

HEADER = "姓名,性别,身份证号,出生日期,联系电话,所属社区,所属网格"
GOOD_ROWS = 1500  # enough for the commit to be seen running


def numbered_id(i):
    """A valid, distinct ID number per i (born 1950-01-01 + i days)."""
    day = datetime.date(1950, 1, 1) + datetime.timedelta(days=i)
    return id_number("331181%s%03d" % (day.strftime("%Y%m%d"), i % 1000))


def detail_code(body):
    return (body["error"].get("details") or [{}])[0].get("code")


class HttpJobsTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()

    def tearDown(self):
        self.work.close()

    def start(self, engine):
        _, server, admin = serve_demo(self, self.work, engine, "--residents", "1000")
        return server, admin

    def grids(self, admin):
        """Two grids of 城东社区."""
        _, _, found = admin.call("GET", "/api/v1/org/units/search?q=" + urllib.parse.quote("城东社区"))
        community = [u for u in found["items"] if u["kind"] == "community"][0]
        _, _, grids = admin.call("GET", "/api/v1/org/units?parent=" + community["id"])
        return community, grids["items"][0], grids["items"][1]

    def upload(self, client, name, lines):
        data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        status, _, text = client.raw("POST", "/api/v1/imports?name=" + urllib.parse.quote(name), data,
                                     "text/csv")
        return status, json.loads(text)

    def wait(self, client, path):
        deadline = time.time() + 120
        while time.time() < deadline:
            status, _, job = client.call("GET", path)
            self.assertEqual(status, 200, job)
            if job["state"] in ("done", "failed", "cancelled"):
                return job
            time.sleep(0.1)
        self.fail("job %s did not finish" % path)

    def total(self, client, query):
        status, _, page = client.call("GET", "/api/v1/residents?page_size=1&" + query)
        self.assertEqual(status, 200, page)
        return page["total"]

    def test_jobs_on_each_engine(self):
        for engine in engines():
            with self.subTest(engine=engine):
                self.run_everything(engine)

    def run_everything(self, engine):
        server, admin = self.start(engine)
        try:
            community, grid_a, grid_b = self.grids(admin)
            self.check_import(admin, grid_a)
            self.check_scoped_import(admin, grid_a, grid_b)
            self.check_exports(admin, community, grid_a)
            self.check_template(admin)
        finally:
            self.assertEqual(server.stop(), 0)
            log_text = server.log()
        self.assertNotIn(numbered_id(0), log_text)

    def check_import(self, admin, grid_a):
        place = ",城东社区," + grid_a["name"]
        good = ["导入居民%04d,,%s,,13857800001%s" % (i, numbered_id(i), place) for i in range(GOOD_ROWS)]
        bad_checksum = numbered_id(5000)[:17] + ("1" if numbered_id(5000)[17] != "1" else "2")
        lines = [HEADER] + good[:3] + [
            "坏号码,," + bad_checksum + ",,13857800001" + place,
            "坏网格,," + numbered_id(5001) + ",,13857800001,城东社区,第99网格",
        ] + good[3:]
        before = self.total(admin, "unit=" + grid_a["id"])

        # Upload: the header found, the columns mapped, a preview with masked numbers.
        status, job = self.upload(admin, "居民名单.csv", lines)
        self.assertEqual(status, 201, job)
        self.assertEqual((job["format"], job["header_row"], job["missing_required"]), ("csv", 1, []))
        fields = [c["field"] for c in job["columns"]]
        self.assertIn("id_number", fields)
        self.assertEqual(len(job["preview"]), 10)
        self.assertEqual(job["preview"][0][0], "导入居民0000")
        self.assertNotIn(numbered_id(0), json.dumps(job, ensure_ascii=False))
        self.assertIn("**********", job["preview"][0][2])
        # A wrong name or extension is refused.
        status, body = self.upload(admin, "名单.txt", lines[:2])
        self.assertEqual((status, detail_code(body)), (400, "name.invalid"))

        # Dry run: problems, nothing written.
        path = "/api/v1/imports/" + job["id"]
        status, _, started = admin.call("POST", path + "/dry-run", {})
        self.assertEqual(status, 202, started)
        self.assertEqual((started["state"], started["step"]), ("running", "dry_run"))
        done = self.wait(admin, path)
        self.assertEqual(done["state"], "done", done)
        result = done["result"]
        self.assertEqual((result["outcomes"]["refused"], result["written"]), (2, False))
        codes = {p["code"] for p in result["problems"]}
        self.assertIn("id_number.checksum", codes)
        self.assertIn("grid.unknown", codes)
        self.assertEqual(self.total(admin, "unit=" + grid_a["id"]), before)

        # The report: an xlsx workbook with the error column.
        status, headers, report = admin.raw("GET", path + "/report")
        self.assertEqual(status, 200)
        self.assertIn("attachment", headers["Content-Disposition"])
        with zipfile.ZipFile(io.BytesIO(report)) as book:
            text = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
        self.assertIn("错误说明", text)

        # Commit with skip, followed as Server-Sent Events.
        status, _, started = admin.call("POST", path + "/commit", {"on_error": "skip"})
        self.assertEqual(status, 202, started)
        events = []
        with admin.open("GET", path + "/events") as stream:
            self.assertTrue(stream.headers["Content-Type"].startswith("text/event-stream"))
            name = None
            for raw in stream:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    events.append((name, json.loads(line[6:])))
                    if name in ("done", "failed"):
                        break
        names = [n for n, _ in events]
        self.assertEqual(names[-1], "done", events[-1])
        self.assertEqual(set(names[:-1]), {"progress"})
        self.assertGreaterEqual(len(names), 2, names)  # the first event is always the snapshot
        self.assertIn(events[0][1]["state"], ("running", "done"))
        progress = [e["progress"] for n, e in events if n == "progress"]
        self.assertEqual(progress, sorted(progress))
        final = events[-1][1]
        self.assertEqual((final["step"], final["result"]["applied"]["created"]), ("commit", GOOD_ROWS))
        self.assertEqual(self.total(admin, "unit=" + grid_a["id"]), before + GOOD_ROWS)
        self.assertEqual(self.total(admin, "name=" + urllib.parse.quote("导入居民")), GOOD_ROWS)
        # A committed file is not committed again.
        status, _, body = admin.call("POST", path + "/commit", {"on_error": "skip"})
        self.assertEqual(status, 409, body)
        status, _, body = admin.call("POST", path + "/commit", {"on_error": "maybe"})
        self.assertEqual(status, 400, body)

    def check_scoped_import(self, admin, grid_a, grid_b):
        # An importer whose capture scope is grid A.
        importer = add_user(self, admin, "daoru_a", ["community_admin"], {grid_a["id"]: "capture"})
        lines = [HEADER,
                 "本网格,," + numbered_id(6000) + ",,,城东社区," + grid_a["name"],
                 "外网格,," + numbered_id(6001) + ",,,城东社区," + grid_b["name"]]
        status, job = self.upload(importer, "scoped.csv", lines)
        self.assertEqual(status, 201, job)
        path = "/api/v1/imports/" + job["id"]
        # Somebody else's job is not there for the admin either.
        self.assertEqual(admin.call("GET", path)[0], 404)
        self.assertEqual(importer.call("POST", path + "/commit", {"on_error": "skip"})[0], 202)
        done = self.wait(importer, path)
        self.assertEqual(done["state"], "done", done)
        result = done["result"]
        self.assertEqual((result["applied"]["created"], result["outcomes"]["refused"]), (1, 1), result)
        self.assertEqual([p["code"] for p in result["problems"]], ["unit.out_of_scope"])
        self.assertEqual(self.total(admin, "name=" + urllib.parse.quote("外网格")), 0)
        self.assertEqual(self.total(admin, "name=" + urllib.parse.quote("本网格")), 1)
        # Exports of this importer stay in its view scope.
        status, _, body = importer.call("POST", "/api/v1/exports", {"format": "csv"})
        self.assertEqual((status, detail_code(body)), (400, "unit_id.required"), body)
        status, _, body = importer.call("POST", "/api/v1/exports", {"unit_id": grid_b["id"]})
        self.assertEqual(status, 404, body)
        # Unmasked without the permission: 403.
        status, _, body = importer.call("POST", "/api/v1/exports", {
            "unit_id": grid_a["id"], "unmasked": True, "purpose": "核对"})
        self.assertEqual(status, 403, body)

    def export(self, client, body):
        status, _, job = client.call("POST", "/api/v1/exports", body)
        self.assertEqual(status, 202, job)
        path = "/api/v1/exports/" + job["id"]
        done = self.wait(client, path)
        self.assertEqual(done["state"], "done", done)
        status, headers, data = client.raw("GET", path + "/file")
        self.assertEqual(status, 200)
        self.assertIn("attachment", headers["Content-Disposition"])
        return done, data

    def check_exports(self, admin, community, grid_a):
        in_grid = self.total(admin, "unit=" + grid_a["id"])
        # CSV: a header and one line per resident, numbers masked.
        done, data = self.export(admin, {"unit_id": grid_a["id"], "format": "csv"})
        self.assertEqual(done["result"]["rows"], in_grid)
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        self.assertEqual(len(rows) - 1, in_grid)
        column = rows[0].index("身份证号")
        exported = [r for r in rows[1:] if r[rows[0].index("姓名")] == "导入居民0000"]
        self.assertEqual(len(exported), 1)
        self.assertEqual(exported[0][column], numbered_id(0)[:4] + "*" * 10 + numbered_id(0)[14:])
        self.assertNotIn(numbered_id(0).encode(), data)
        # xlsx of the community: title and header rows, then every resident.
        done, data = self.export(admin, {"unit_id": community["id"], "format": "xlsx"})
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
        self.assertEqual(sheet.count("<row "), done["result"]["rows"] + 2)
        self.assertEqual(done["result"]["rows"], self.total(admin, "unit=" + community["id"]))
        # Unmasked: a purpose is required; then the plain numbers, audited with the row count.
        status, _, body = admin.call("POST", "/api/v1/exports", {
            "unit_id": grid_a["id"], "format": "csv", "unmasked": True})
        self.assertEqual((status, detail_code(body)), (400, "purpose.required"), body)
        done, data = self.export(admin, {"unit_id": grid_a["id"], "format": "csv", "unmasked": True,
                                         "purpose": "民政核对"})
        self.assertIn(numbered_id(0).encode(), data)
        _, _, log = admin.call("GET", "/api/v1/audit?action=export.residents&limit=100")
        finished = [e for e in log["items"] if e["detail"].get("phase") == "done" and
                    e["detail"].get("unmasked")]
        self.assertEqual(len(finished), 1, log)
        self.assertEqual((finished[0]["detail"]["rows"], finished[0]["detail"]["purpose"]),
                         (in_grid, "民政核对"))
        for action in ("import.upload", "import.dry_run", "import.commit"):
            _, _, entries = admin.call("GET", "/api/v1/audit?action=" + action)
            self.assertTrue(entries["items"], action)

    def check_template(self, admin):
        status, headers, data = admin.raw("GET", "/api/v1/imports/template")
        self.assertEqual(status, 200)
        self.assertIn("spreadsheetml", headers["Content-Type"])
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            self.assertIn("xl/workbook.xml", book.namelist())


if __name__ == "__main__":
    unittest.main()
