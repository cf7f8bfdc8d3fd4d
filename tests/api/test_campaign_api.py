"""Black-box tests of the AI social worker's HTTP API on a running `steward serve`, on SQLite and
PostgreSQL, in real time on the simulator channel the server runs.

What a social worker would check: the built-in scripts are there and pass the validator, a broken
one is refused with the node named, a script can be tried as a resident; a campaign started on a
segment targets exactly the segment's residents in the starter's scope, is called by the server
(the live monitor shows calls in progress and results), pauses, resumes and cancels; its ledger
downloads with one row per resident and no plain phone; a small campaign runs to its end, its
door-visit tasks and pending changes are listed and decided, and an accepted change reaches the
registry; a grid worker sees nothing of residents outside their grid and may not start campaigns.
"""
import csv
import io
import json
import os
import base64
import re
import socket
import struct
import sys
import time
import unittest
import urllib.parse
import urllib.request
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import Workdir, engines  # noqa: E402
from test_http_api import PASSWORD, Client, add_user, serve_demo  # noqa: E402

ALL_DAY = {day: [["00:00", "24:00"]]
           for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday")}
PLAIN_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def raw_get(client, path):
    request = urllib.request.Request(client.url + path, method="GET")
    request.add_header("Accept-Language", client.language)
    with client.opener.open(request, timeout=60) as response:
        return response.status, dict(response.headers), response.read()


def first_events(client, path, count):
    """The first `count` Server-Sent Events of a stream, as (name, data) pairs."""
    request = urllib.request.Request(client.url + path, method="GET")
    events, name = [], None
    with client.opener.open(request, timeout=60) as response:
        for line in response:
            line = line.decode().rstrip("\n")
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[6:])))
                if len(events) == count:
                    break
    return events


def first_messages(client, path, count, origin=None):
    """The first `count` messages of a WebSocket (the console's live monitor), as (event, data)
    pairs, read by a minimal RFC 6455 client (stdlib only): the handshake with the client's
    cookies, then the server's unmasked text frames; or the refused handshake's status line."""
    url = urllib.parse.urlsplit(client.url)
    cookies = "; ".join("%s=%s" % (c.name, c.value) for c in client.jar)
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((url.hostname, url.port), timeout=60) as sock:
        sock.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nOrigin: %s\r\n"
                      "Cookie: %s\r\n\r\n" % (path, url.netloc, key, origin or client.url, cookies)).encode())
        reader = sock.makefile("rb")
        status = reader.readline().decode().strip()
        while reader.readline() not in (b"\r\n", b""):
            pass
        if " 101 " not in status:
            return status
        messages, text = [], b""
        while len(messages) < count:
            first, second = reader.read(2)
            length = second & 0x7F
            if length == 126:
                length = struct.unpack("!H", reader.read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", reader.read(8))[0]
            payload = reader.read(length)
            if first & 0x0F == 0x8:  # close
                messages.append(("close", struct.unpack("!H", payload[:2])[0]))
                break
            if first & 0x0F in (0x0, 0x1):  # text, or its continuation
                text += payload
                if first & 0x80:  # FIN: the message is whole
                    message = json.loads(text.decode())
                    messages.append((message["event"], message["data"]))
                    text = b""
        # Our own close frame (masked, as a client's must be), code 1000.
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(struct.pack("!H", 1000)))
        sock.sendall(bytes([0x88, 0x80 | len(body)]) + mask + body)
        return messages


def applied(resident, change):
    """Whether the resident (as GET /api/v1/residents/{id} shows them) has the change in."""
    if change["field"] == "residence_status":
        return resident["residence_status"] == change["value"]
    tag = change["field"].removeprefix("tag:")
    return (tag in resident["tags"]) == (change["value"] == "add")


class CampaignApiTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()

    def tearDown(self):
        self.work.close()

    def start(self, engine):
        # A temporary directory of the server's own: the ledger's files must not stay in it.
        self.tmp = os.path.join(self.work.path, "tmp-" + engine)
        os.makedirs(self.tmp, exist_ok=True)
        return serve_demo(self, self.work, engine, "--residents", "1500", "--seed", "4",
                          env={"TMPDIR": self.tmp})

    def user(self, admin, login, roles, units):
        return add_user(self, admin, login, roles, units)

    def community(self, admin, name):
        _, _, found = admin.call("GET", "/api/v1/org/units/search?q=" + urllib.parse.quote(name))
        return [u for u in found["items"] if u["kind"] == "community"][0]

    def wait_for(self, client, campaign_id, predicate, seconds=90):
        deadline = time.time() + seconds
        while True:
            status, _, campaign = client.call("GET", "/api/v1/campaigns/" + campaign_id)
            self.assertEqual(status, 200, campaign)
            if predicate(campaign):
                return campaign
            if time.time() > deadline:
                self.fail("campaign %s did not get there: %s" % (campaign_id, campaign))
            time.sleep(0.5)

    def test_campaign_api_on_each_engine(self):
        for engine in engines():
            with self.subTest(engine=engine):
                db, server, admin = self.start(engine)
                try:
                    self.check_scripts(admin)
                    self.check_campaign_controls(admin)
                    self.check_campaign_to_the_end(admin)
                    self.check_script_library(admin)
                finally:
                    self.assertEqual(server.stop(), 0)
                log = server.log()
                self.assertIsNone(PLAIN_PHONE.search(log), "a phone number in the server log")

    def check_scripts(self, admin):
        status, _, scripts = admin.call("GET", "/api/v1/scripts")
        self.assertEqual(status, 200, scripts)
        names = [s["name"] for s in scripts["items"]]
        self.assertEqual(sorted(names), sorted(["health_checkin", "committee_election",
                                                "health_check_invite", "policy_notice", "contact_update",
                                                "residence_check"]))
        self.assertIn("quick", scripts["personas"])
        for item in scripts["items"]:
            status, _, checked = admin.call("POST", "/api/v1/scripts/check",
                                            {"script": item["script"]})
            self.assertEqual(status, 200, checked)
            self.assertTrue(checked["valid"], checked["findings"])
            self.assertEqual(len(checked["dry_run"]), len(scripts["personas"]))
        # A branch to a node that is not there: invalid, and the node is named.
        broken = json.loads(json.dumps(scripts["items"][0]["script"]))
        broken["nodes"][-1]["id"] = "renamed_end"
        status, _, checked = admin.call("POST", "/api/v1/scripts/check", {"script": broken})
        self.assertEqual(status, 200, checked)
        self.assertFalse(checked["valid"])
        self.assertTrue(any(f["severity"] == "error" and f["node"] for f in checked["findings"]))
        self.assertEqual(checked["dry_run"], [])
        # An unknown member is a shape error with its path.
        bad = dict(scripts["items"][0]["script"], colour="red")
        status, _, body = admin.call("POST", "/api/v1/scripts/check", {"script": bad})
        self.assertEqual(status, 400, body)
        # Try a script as 王秀英, 78: the call addresses her as 王阿姨 and completes.
        status, _, tried = admin.call("POST", "/api/v1/scripts/try", {
            "name": "residence_check", "persona": "quick", "resident_name": "王秀英",
            "gender": "女", "age": 78})
        self.assertEqual(status, 200, tried)
        self.assertEqual(tried["outcome"], "answered_completed")
        said = " ".join(line["text"] for line in tried["transcript"] if line["who"] == "ai")
        self.assertIn("王阿姨", said)
        self.assertGreater(len(tried["answers"]), 0)
        status, _, body = admin.call("POST", "/api/v1/scripts/try",
                                     {"name": "residence_check", "persona": "nobody"})
        self.assertEqual(status, 400, body)
        status, _, body = admin.call("POST", "/api/v1/scripts/try", {"script": broken})
        self.assertEqual(status, 400, body)

    def check_script_library(self, admin):
        """Staff save their own scripts (validated, versioned); campaigns and tries use the latest."""
        _, _, scripts = admin.call("GET", "/api/v1/scripts")
        template = [s for s in scripts["items"] if s["name"] == "policy_notice"][0]["script"]
        self.assertEqual(template.get("name"), "policy_notice")
        # A built-in template's name is taken; a copy under its own name is version 1, then 2.
        status, _, body = admin.call("POST", "/api/v1/scripts", {"script": template})
        self.assertEqual(status, 409, body)
        mine = json.loads(json.dumps(template))
        mine.update(name="water_notice", title="停水通知（社区版）")
        status, headers, saved = admin.call("POST", "/api/v1/scripts", {"script": mine})
        self.assertEqual((status, saved["version"], saved["built_in"]), (201, 1, False), saved)
        self.assertEqual(headers["Location"], "/api/v1/scripts/water_notice/versions")
        opening = mine["nodes"][0]
        opening["text"] = opening["text"] + "本次通知第二版。"
        status, _, saved = admin.call("POST", "/api/v1/scripts", {"script": mine})
        self.assertEqual((status, saved["version"]), (201, 2), saved)
        # A script with errors is refused on save, naming the node; nothing is stored.
        broken = json.loads(json.dumps(mine))
        broken["nodes"][-1]["id"] = "renamed_end"
        status, _, body = admin.call("POST", "/api/v1/scripts", {"script": broken})
        self.assertEqual(status, 400, body)
        self.assertTrue(any(d["field"] for d in body["error"]["details"]), body)
        status, _, versions = admin.call("GET", "/api/v1/scripts/water_notice/versions")
        self.assertEqual(status, 200, versions)
        self.assertEqual([v["version"] for v in versions["items"]], [2, 1])
        status, _, _ = admin.call("GET", "/api/v1/scripts/never_saved/versions")
        self.assertEqual(status, 404)
        status, _, scripts = admin.call("GET", "/api/v1/scripts")
        listed = [s for s in scripts["items"] if s["name"] == "water_notice"]
        self.assertEqual([(s["version"], s["built_in"]) for s in listed], [(2, False)])
        # A try by name says the latest version's text.
        status, _, tried = admin.call("POST", "/api/v1/scripts/try",
                                      {"name": "water_notice", "persona": "quick"})
        self.assertEqual(status, 200, tried)
        self.assertIn("本次通知第二版", " ".join(line["text"] for line in tried["transcript"]))
        # A resident-facing worker may use scripts but not write the library.
        community = self.community(admin, "南秦社区")
        viewer = self.user(admin, "script_viewer", ["grid_worker"], {community["id"]: "capture"})
        status, _, _ = viewer.call("POST", "/api/v1/scripts", {"script": mine})
        self.assertEqual(status, 403)
        # A campaign naming it records version 2.
        status, _, created = admin.call("POST", "/api/v1/campaigns", {
            "script_name": "water_notice", "query": "age >= 85", "name": "停水通知 第二版",
            "schedule": {"windows": ALL_DAY}, "fields": {"notice": "12月8日停水"}})
        self.assertEqual(status, 201, created)
        self.assertEqual(created["script"], {"name": "water_notice", "title": "停水通知（社区版）",
                                             "version": 2})
        status, _, cancelled = admin.call("POST", "/api/v1/campaigns/%s/cancel" % created["id"])
        self.assertEqual(status, 200, cancelled)

    def check_campaign_controls(self, admin):
        community = self.community(admin, "城东社区")
        worker = self.user(admin, "campaign_sg", ["social_worker"], {community["id"]: "capture"})
        query = "age >= 60"
        status, _, mine = worker.call("POST", "/api/v1/segments/evaluate", {"query": query})
        self.assertEqual(status, 200, mine)
        status, _, everyone = admin.call("POST", "/api/v1/segments/evaluate", {"query": query})
        self.assertLess(mine["count"], everyone["count"])
        body = {"script_name": "policy_notice", "query": query, "name": "停水通知",
                "fields": {"notice": "本周六上午停水"},
                "schedule": {"windows": ALL_DAY},
                "policy": {"max_concurrent": 30, "max_calls_per_second": 10, "max_attempts": 2}}
        # A field the script needs and the body leaves out is refused, nothing is created.
        status, _, refused = worker.call("POST", "/api/v1/campaigns", dict(body, fields={}))
        self.assertEqual(status, 400, refused)
        status, _, refused = worker.call("POST", "/api/v1/campaigns", dict(body, channel="sip"))
        self.assertEqual(status, 400, refused)
        status, headers, created = worker.call("POST", "/api/v1/campaigns", body)
        self.assertEqual(status, 201, created)
        campaign_id = created["id"]
        self.assertEqual(headers["Location"], "/api/v1/campaigns/" + campaign_id)
        self.assertEqual(created["state"], "running")
        # Exactly the segment's residents inside the starter's scope.
        self.assertEqual(created["funnel"]["targeted"], mine["count"])
        self.assertEqual(sum(created["target_states"].values()), mine["count"])
        status, _, listed = admin.call("GET", "/api/v1/campaigns?state=running")
        self.assertIn(campaign_id, [c["id"] for c in listed["items"]])
        # The server calls it: calls in progress, then results, in the live monitor.
        self.wait_for(worker, campaign_id, lambda c: c["funnel"]["dialled"] > 0, 30)
        # The same monitor as Server-Sent Events and over a WebSocket (the console's).
        events = first_events(worker, "/api/v1/campaigns/%s/events?interval_ms=200" % campaign_id, 2)
        self.assertEqual([name for name, _ in events], ["monitor", "monitor"])
        messages = first_messages(worker, "/api/v1/campaigns/%s/events?interval_ms=200" % campaign_id, 2)
        self.assertEqual([name for name, _ in messages], ["monitor", "monitor"])
        for picture in (events[-1][1], messages[-1][1]):
            self.assertEqual(picture["state"], "running")
            self.assertEqual(sum(picture["target_states"].values()), mine["count"])
            self.assertGreater(len(picture["in_call"]) + len(picture["recent"]), 0)
        # Another site's page cannot open it with the user's cookies; nobody without them.
        refused = first_messages(worker, "/api/v1/campaigns/%s/events" % campaign_id, 1,
                                 origin="http://evil.example")
        self.assertIn(" 403 ", refused)
        self.assertIn(" 401 ", first_messages(Client(worker.url), "/api/v1/campaigns/%s/events" % campaign_id, 1))
        self.wait_for(worker, campaign_id, lambda c: c["funnel"]["answered"] > 0, 60)
        status, _, calls = worker.call("GET", "/api/v1/campaigns/%s/calls" % campaign_id)
        self.assertEqual(status, 200, calls)
        self.assertGreater(len(calls["items"]), 0)
        self.assertIsNone(PLAIN_PHONE.search(json.dumps(calls, ensure_ascii=False)))
        self.assertTrue(all("phone" not in c for c in calls["items"]))
        # A bad limit or interval is a 400 naming it, not silently replaced.
        for query in ("calls?limit=0", "calls?limit=abc", "events?interval_ms=50"):
            status, _, body = worker.call("GET", "/api/v1/campaigns/%s/%s" % (campaign_id, query))
            self.assertEqual(status, 400, body)
            self.assertEqual(body["error"]["details"][0]["field"], query.split("?")[1].split("=")[0])
        # A grid worker elsewhere sees the campaign but none of its residents, nor counts of
        # them, and may not control it.
        other = self.community(admin, "南秦社区")
        _, _, grids = admin.call("GET", "/api/v1/org/units?parent=" + other["id"])
        grid_worker = self.user(admin, "campaign_wg", ["grid_worker"], {grids["items"][0]["id"]: "capture"})
        status, _, seen = grid_worker.call("GET", "/api/v1/campaigns/" + campaign_id)
        self.assertEqual(status, 200, seen)
        self.assertEqual((seen["funnel"]["targeted"], sum(seen["target_states"].values())), (0, 0))
        self.assertEqual(seen["funnel"]["answers"], {})
        status, _, calls = grid_worker.call("GET", "/api/v1/campaigns/%s/calls" % campaign_id)
        self.assertEqual(calls["items"], [])
        status, _, _ = grid_worker.call("POST", "/api/v1/campaigns/%s/pause" % campaign_id)
        self.assertEqual(status, 403)
        status, _, _ = grid_worker.call("POST", "/api/v1/campaigns", body)
        self.assertEqual(status, 403)
        status, headers, _ = raw_get(grid_worker, "/api/v1/campaigns/%s/ledger?format=csv" % campaign_id)
        self.assertEqual(headers["X-Ledger-Rows"], "0")
        # Pause, resume, cancel; a second pause is a conflict.
        status, _, paused = worker.call("POST", "/api/v1/campaigns/%s/pause" % campaign_id)
        self.assertEqual((status, paused["state"]), (200, "paused"), paused)
        status, _, body409 = worker.call("POST", "/api/v1/campaigns/%s/pause" % campaign_id)
        self.assertEqual(status, 409, body409)
        status, _, resumed = worker.call("POST", "/api/v1/campaigns/%s/resume" % campaign_id)
        self.assertEqual((status, resumed["state"]), (200, "running"), resumed)
        status, _, cancelled = worker.call("POST", "/api/v1/campaigns/%s/cancel" % campaign_id)
        self.assertEqual((status, cancelled["state"]), (200, "cancelled"), cancelled)
        # Calls in progress finish; then every target is done, each with one outcome.
        done = self.wait_for(worker, campaign_id,
                             lambda c: c["target_states"]["done"] == mine["count"], 90)
        self.assertEqual(sum(done["funnel"]["outcomes"].values()), mine["count"])
        self.assertGreater(done["funnel"]["outcomes"].get("cancelled", 0), 0)
        events = first_events(worker, "/api/v1/campaigns/%s/events" % campaign_id, 2)
        self.assertEqual([name for name, _ in events], ["monitor", "end"])
        messages = first_messages(worker, "/api/v1/campaigns/%s/events" % campaign_id, 3)
        self.assertEqual([name for name, _ in messages], ["monitor", "end", "close"])
        self.assertEqual(messages[-1][1], 1000)
        # The ledger: one row per resident, in .xlsx and .csv, phones masked; audited.
        status, headers, data = raw_get(worker, "/api/v1/campaigns/%s/ledger" % campaign_id)
        self.assertEqual(status, 200)
        self.assertEqual(headers["X-Ledger-Rows"], str(mine["count"]))
        self.assertIn("filename*=UTF-8''", headers["Content-Disposition"])
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            sheet = book.read("xl/worksheets/sheet1.xml").decode()
        self.assertIn("停水通知", sheet)
        self.assertIsNone(PLAIN_PHONE.search(sheet))
        status, headers, data = raw_get(worker, "/api/v1/campaigns/%s/ledger?format=csv" % campaign_id)
        text = data.decode("utf-8-sig")
        self.assertIsNone(PLAIN_PHONE.search(text))
        rows = list(csv.reader(io.StringIO(text)))
        self.assertGreaterEqual(len(rows), mine["count"] + 1)
        # Sent from a temporary file, removed once opened.
        self.assertEqual([f for f in os.listdir(self.tmp) if f.startswith("steward-ledger-")], [])
        status, _, audit = admin.call("GET", "/api/v1/audit?action=campaign.ledger")
        self.assertEqual(status, 200, audit)
        self.assertGreaterEqual(len(audit["items"]), 2)

    def check_campaign_to_the_end(self, admin):
        # One attempt each: the campaign completes once every first call has ended.
        body = {"script_name": "residence_check", "query": "age >= 75", "name": "人户核实",
                "schedule": {"windows": ALL_DAY},
                "policy": {"max_concurrent": 300, "max_calls_per_second": 50, "max_attempts": 1}}
        status, _, created = admin.call("POST", "/api/v1/campaigns", body)
        self.assertEqual(status, 201, created)
        campaign_id = created["id"]
        targeted = created["funnel"]["targeted"]
        self.assertGreater(targeted, 20)
        done = self.wait_for(admin, campaign_id, lambda c: c["state"] == "completed", 150)
        funnel = done["funnel"]
        self.assertEqual(funnel["done"], targeted)
        self.assertEqual(sum(funnel["outcomes"].values()), targeted)
        self.assertGreater(funnel["completed"], 0)
        # The ledger names the questions and answers as the script labels them.
        self.assertEqual(done["answer_labels"]["residence"]["label"], "居住状态")
        self.assertEqual(done["answer_labels"]["residence"]["values"]["moved_away"], "已迁出")
        status, _, data = raw_get(admin, "/api/v1/campaigns/%s/ledger?format=csv" % campaign_id)
        ledger = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        header = next(i for i, row in enumerate(ledger) if "居住状态" in row)
        column = ledger[header].index("居住状态")
        given = {row[column] for row in ledger[header + 1:] if len(row) > column and row[column]}
        self.assertTrue(given, "no residence answers in the ledger")
        self.assertLessEqual(given, {"仍在本地居住", "市内搬迁", "已迁出"})
        self.assertEqual(sum(funnel["answers"]["residence"].values()),
                         sum(1 for row in ledger[header + 1:] if len(row) > column and row[column]))
        # Unreachable residents and answers that need a person became door-visit tasks.
        status, _, tasks = admin.call("GET", "/api/v1/tasks?campaign_id=%s&state=open" % campaign_id)
        self.assertEqual(status, 200, tasks)
        self.assertGreater(len(tasks["items"]), 0)
        task = tasks["items"][0]
        self.assertTrue(task["resident_name"] and task["unit_name"])
        status, _, closed = admin.call("POST", "/api/v1/tasks/%s/close" % task["id"])
        self.assertEqual((status, closed["state"]), (200, "done"), closed)
        status, _, _ = admin.call("POST", "/api/v1/tasks/%s/close" % task["id"])
        self.assertEqual(status, 409)
        # Moves reported on the phone wait for review; nothing reached the registry yet.
        status, _, changes = admin.call(
            "GET", "/api/v1/changes?campaign_id=%s&state=pending" % campaign_id)
        self.assertEqual(status, 200, changes)
        self.assertGreaterEqual(len(changes["items"]), 2, "expected moves reported in the calls")
        # A grid worker sees only the changes of their grid's residents and cannot decide others.
        grid_worker = Client(admin.url)
        self.assertEqual(grid_worker.login("campaign_wg", PASSWORD)[0], 200)
        _, _, visible = grid_worker.call(
            "GET", "/api/v1/changes?campaign_id=%s&state=pending" % campaign_id)
        visible_ids = {c["id"] for c in visible["items"]}
        self.assertLess(len(visible_ids), len(changes["items"]))
        # Their counts are their grid's: as many targets as ledger rows they get, fewer than the
        # whole campaign's; the list agrees with the status, for them and for the admin.
        _, _, mine = grid_worker.call("GET", "/api/v1/campaigns/" + campaign_id)
        _, headers, _ = raw_get(grid_worker, "/api/v1/campaigns/%s/ledger?format=csv" % campaign_id)
        self.assertEqual(mine["funnel"]["targeted"], int(headers["X-Ledger-Rows"]))
        self.assertGreater(mine["funnel"]["targeted"], 0)
        self.assertLess(mine["funnel"]["targeted"], targeted)
        self.assertEqual(sum(mine["target_states"].values()), mine["funnel"]["targeted"])
        self.assertLessEqual(sum(sum(v.values()) for v in mine["funnel"]["answers"].values()),
                             sum(sum(v.values()) for v in funnel["answers"].values()))
        for client, status_json in ((grid_worker, mine), (admin, done)):
            _, _, listed = client.call("GET", "/api/v1/campaigns")
            item = next(c for c in listed["items"] if c["id"] == campaign_id)
            keys = ("targeted", "dialled", "answered", "completed", "done", "attempts")
            self.assertEqual({k: item["funnel"][k] for k in keys},
                             {k: status_json["funnel"][k] for k in keys})
            self.assertEqual(item["target_states"], status_json["target_states"])
            self.assertEqual((item["state_label"], item["state_label_en"]), ("已完成", "Completed"))
        outside = [c for c in changes["items"] if c["id"] not in visible_ids]
        # One the registry does not hold yet (a call may propose what is already recorded).
        first = None
        for change in outside:
            status, _, resident = admin.call("GET", "/api/v1/residents/" + change["resident_id"])
            self.assertEqual(status, 200, resident)
            if not applied(resident, change):
                first = change
                break
        self.assertIsNotNone(first, "every proposed change was already in the registry")
        second = [c for c in changes["items"] if c["id"] != first["id"]][0]
        status, _, body = grid_worker.call("POST", "/api/v1/changes/%s/accept" % first["id"])
        self.assertEqual(status, 404, body)
        status, _, accepted = admin.call("POST", "/api/v1/changes/%s/accept" % first["id"])
        self.assertEqual((status, accepted["state"]), (200, "accepted"), accepted)
        status, _, resident = admin.call("GET", "/api/v1/residents/" + first["resident_id"])
        self.assertTrue(applied(resident, first), first)
        status, body, _ = admin.call("POST", "/api/v1/changes/%s/accept" % first["id"])
        self.assertEqual(status, 409)
        status, _, rejected = admin.call("POST", "/api/v1/changes/%s/reject" % second["id"])
        self.assertEqual((status, rejected["state"]), (200, "rejected"), rejected)
        status, _, audit = admin.call("GET", "/api/v1/audit?action=change.accept")
        self.assertGreaterEqual(len(audit["items"]), 1)


if __name__ == "__main__":
    unittest.main()
