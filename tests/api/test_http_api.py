"""Black-box tests of the JSON API on a running `steward serve`, on SQLite and PostgreSQL.

What a user of the console or an integration would check: signing in (forced password change,
lockout, CSRF, bearer tokens), data scope per role (a permission matrix generated from the roles'
permissions), masked personal data and audited unmasking, optimistic concurrency (one 412), bad
bodies refused with clear 4xx, and no personal data in the server's log.
"""
import http.cookiejar
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import BINARY, Server, Workdir, engines, fresh_db  # noqa: E402

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(first17):
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


PASSWORD = "Steward2026ok"


class Client:
    """One browser-like client: a cookie jar and the CSRF token of its session."""

    def __init__(self, url, token=None, language="zh-CN"):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = None
        self.token = token
        self.language = language

    def open(self, method, path, data=None, content_type="application/json", headers=None):
        """The response as a file (for streams); raises HTTPError on an error status."""
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", content_type)
        request.add_header("Accept-Language", self.language)
        if self.csrf and method not in ("GET", "HEAD"):
            request.add_header("X-CSRF-Token", self.csrf)
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        return self.opener.open(request, timeout=60)

    def raw(self, method, path, data=None, content_type="application/json", headers=None):
        """(status, headers, the body's bytes)."""
        try:
            with self.open(method, path, data, content_type, headers) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def call(self, method, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        status, response_headers, text = self.raw(method, path, data, headers=headers)
        return status, response_headers, json.loads(text) if text else None

    def login(self, login, password):
        status, _, body = self.call("POST", "/api/v1/auth/login", {"login": login, "password": password})
        if status == 200:
            self.csrf = body["csrf_token"]
        return status, body


def error_code(body):
    details = body["error"].get("details") or [{}]
    return body["error"]["code"], details[0].get("code")


def serve_demo(case, work, engine, *demo_args, env=None):
    """A demo city on `engine` served by `steward serve` (with `env` added to its environment),
    with the admin signed in (first password changed to PASSWORD): (db, server, admin client)."""
    db = fresh_db(engine, work.path + "/" + engine)
    work.run("--db", db, "demo", *demo_args)
    server = Server(work, "--db", db, env=env)
    with open(os.path.join(work.path, "data", "initial-admin.txt"), encoding="utf-8") as f:
        initial = [line.split(":", 1)[1].strip() for line in f if line.startswith("密码")][0]
    admin = Client(server.url)
    case.assertEqual(admin.login("admin", initial)[0], 200)
    status, _, body = admin.call("POST", "/api/v1/auth/password",
                                 {"old_password": initial, "new_password": PASSWORD})
    case.assertEqual(status, 200, body)
    return db, server, admin


def add_user(case, admin, login, roles, units):
    """A new user, signed in with their first password changed to PASSWORD."""
    status, _, body = admin.call("POST", "/api/v1/system/users", {
        "login": login, "password": PASSWORD + "x", "roles": roles, "units": units})
    case.assertEqual(status, 201, body)
    client = Client(admin.url)
    case.assertEqual(client.login(login, PASSWORD + "x")[0], 200)
    status, _, body = client.call("POST", "/api/v1/auth/password",
                                  {"old_password": PASSWORD + "x", "new_password": PASSWORD})
    case.assertEqual(status, 200, body)
    return client


class HttpApiTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()

    def tearDown(self):
        self.work.close()

    def start(self, engine):
        db = fresh_db(engine, self.work.path + "/" + engine)
        self.work.run("--db", db, "demo", "--residents", "1000")
        server = Server(self.work, "--db", db)
        admin_file = os.path.join(self.work.path, "data", "initial-admin.txt")
        self.assertEqual(os.stat(admin_file).st_mode & 0o777, 0o600)
        with open(admin_file, encoding="utf-8") as f:
            initial = [line.split(":", 1)[1].strip() for line in f if line.startswith("密码")][0]
        admin = Client(server.url)
        status, body = admin.login("admin", initial)
        self.assertEqual(status, 200, body)
        self.assertTrue(body["must_change_password"])
        # Nothing but the password change until it is done.
        status, _, body = admin.call("GET", "/api/v1/residents")
        self.assertEqual((status, error_code(body)[1]), (403, "auth.password_change_required"))
        status, _, body = admin.call("POST", "/api/v1/auth/password",
                                     {"old_password": initial, "new_password": PASSWORD})
        self.assertEqual(status, 200, body)
        return db, server, admin

    def units(self, admin):
        """Two grids of one community, and a grid of another street."""
        status, _, body = admin.call("GET", "/api/v1/org/units/search?q=" +
                                     urllib.parse.quote("城东社区"))
        community = [u for u in body["items"] if u["kind"] == "community"][0]
        _, _, grids = admin.call("GET", "/api/v1/org/units?parent=" + community["id"])
        _, _, other = admin.call("GET", "/api/v1/org/units/search?q=" + urllib.parse.quote("南秦社区"))
        other_community = [u for u in other["items"] if u["kind"] == "community"][0]
        _, _, other_grids = admin.call("GET", "/api/v1/org/units?parent=" + other_community["id"])
        return community, grids["items"][0], grids["items"][1], other_grids["items"][0]

    def micro_grid(self, admin, grid):
        _, _, body = admin.call("GET", "/api/v1/org/units?parent=" + grid["id"])
        return body["items"][0]

    def make_user(self, admin, login, roles, units):
        status, _, body = admin.call("POST", "/api/v1/system/users", {
            "login": login, "password": PASSWORD + "x", "roles": roles, "units": units})
        self.assertEqual(status, 201, body)
        client = Client(admin.url)
        status, body = client.login(login, PASSWORD + "x")
        self.assertEqual(status, 200, body)
        status, _, body = client.call("POST", "/api/v1/auth/password",
                                      {"old_password": PASSWORD + "x", "new_password": PASSWORD})
        self.assertEqual(status, 200, body)
        return client

    def test_the_api_on_each_engine(self):
        for engine in engines():
            with self.subTest(engine=engine):
                self.run_everything(engine)

    def run_everything(self, engine):
        db, server, admin = self.start(engine)
        try:
            community, grid_a, grid_b, far_grid = self.units(admin)
            micro_a = self.micro_grid(admin, grid_a)
            micro_b = self.micro_grid(admin, grid_b)
            micro_far = self.micro_grid(admin, far_grid)
            plain_id = id_number("33118119500101003")  # male, 1950-01-01
            plain_phone = "13905781234"
            # Create: a resident with personal data in grid A, and one in grid B.
            status, headers, a = admin.call("POST", "/api/v1/residents", {
                "name": "叶建国", "id_number": plain_id, "phones": [plain_phone],
                "unit_id": micro_a["id"], "tags": ["lives_alone", "subsistence_allowance"]})
            self.assertEqual(status, 201, a)
            self.assertEqual(a["gender"], "male")
            self.assertEqual(a["birth_date"], "1950-01-01")
            self.assertEqual(headers["ETag"], '"1"')
            self.assertNotIn(plain_id, json.dumps(a))
            self.assertEqual(a["id_number"], "3311**********003" + plain_id[-1])
            status, _, b = admin.call("POST", "/api/v1/residents", {
                "name": "季秀英", "gender": "女", "birth_date": "1952-03-04",
                "unit_id": micro_b["id"]})
            self.assertEqual(status, 201, b)
            status, _, far = admin.call("POST", "/api/v1/residents", {
                "name": "远方", "gender": "male", "birth_date": "1980-01-01",
                "unit_id": micro_far["id"]})
            self.assertEqual(status, 201, far)
            # A second registration of the same ID number is refused.
            status, _, body = admin.call("POST", "/api/v1/residents", {
                "name": "重复", "id_number": plain_id, "unit_id": micro_a["id"]})
            self.assertEqual((status, error_code(body)[0]), (409, "already_exists"))

            self.check_scope_and_masking(admin, grid_a, community, a, b, far, plain_id, plain_phone)
            self.check_concurrency(admin, a)
            self.check_answer_cache(admin, db, micro_a)
            self.check_bad_input(admin, micro_a)
            self.check_sessions_and_tokens(admin)
            self.check_org_editing(admin, community, grid_a, grid_b)
            self.check_places_dictionaries_and_stats(admin, community, grid_a, micro_a)
            self.check_user_and_role_admin(admin, grid_a)
            self.check_user_editing_and_role_deletion(admin, community, grid_a, grid_b, far_grid)
            self.check_permission_matrix(admin, grid_a, micro_a, micro_far, b, far)
            # The audit log holds the views, the unmask and the list queries; its chain holds.
            status, _, log = admin.call("GET", "/api/v1/audit?action=pii.unmask")
            self.assertEqual(status, 200)
            self.assertTrue(any(e["target"] == "resident:" + a["id"] and
                                e["detail"]["purpose"] == "入户核实" for e in log["items"]))
            _, _, lists = admin.call("GET", "/api/v1/audit?action=resident.list&limit=1000")
            self.assertTrue(any("id_number=3311" in e["detail"]["query"] and
                                plain_id not in e["detail"]["query"] for e in lists["items"]))
            self.check_login_throttle(admin)  # last: it shuts this address out of signing in
        finally:
            self.assertEqual(server.stop(), 0)
            log_text = server.log()
        verify = self.work.run("--db", db, "audit", "verify", check=False)
        self.assertEqual(verify.returncode, 0, verify.stdout + verify.stderr)
        # Personal data never reaches our log.
        for secret in (plain_id, plain_phone, PASSWORD):
            self.assertNotIn(secret, log_text)

    def check_scope_and_masking(self, admin, grid_a, community, a, b, far, plain_id, plain_phone):
        # A grid worker on grid A who may look residents of the community up by exact number.
        worker = self.make_user(admin, "wangge_a", ["grid_worker"],
                                {grid_a["id"]: "capture", community["id"]: "search"})
        status, _, page = worker.call("GET", "/api/v1/residents?page_size=200")
        self.assertEqual(status, 200, page)
        _, _, in_grid = admin.call("GET", "/api/v1/residents?page_size=1&unit=" + grid_a["id"])
        self.assertEqual(page["total"], in_grid["total"])
        self.assertGreater(page["total"], 1)
        ids = {item["id"] for item in page["items"]}
        self.assertIn(a["id"], ids)
        self.assertNotIn(b["id"], ids)
        # Outside the view scope: not found, whichever way it is asked.
        self.assertEqual(worker.call("GET", "/api/v1/residents/" + b["id"])[0], 404)
        self.assertEqual(worker.call("GET", "/api/v1/residents/" + far["id"])[0], 404)
        status, _, body = worker.call("PATCH", "/api/v1/residents/" + b["id"], {"notes": "x"},
                                      {"If-Match": '"1"'})
        self.assertEqual(status, 404)
        # Sensitive tags are hidden from the grid worker, shown to the admin.
        _, _, detail = worker.call("GET", "/api/v1/residents/" + a["id"])
        self.assertEqual(detail["tags"], ["lives_alone"])
        _, _, detail = admin.call("GET", "/api/v1/residents/" + a["id"])
        self.assertEqual(sorted(detail["tags"]), ["lives_alone", "subsistence_allowance"])
        status, _, body = worker.call("GET", "/api/v1/residents?tags=subsistence_allowance")
        self.assertEqual(status, 403)
        # A numeric filter out of its range or not a number is refused, naming the parameter.
        for query, field in (("page_size=500", "page_size"), ("page=0", "page"),
                             ("age_min=abc", "age_min"), ("unit=-3", "unit")):
            status, _, body = worker.call("GET", "/api/v1/residents?" + query)
            self.assertEqual(status, 400, query)
            self.assertEqual([(d["field"], d["code"]) for d in body["error"]["details"]],
                             [(field, "range")], query)
        # Search scope: an exact number finds a resident of another grid, with name and masks only.
        status, _, created = admin.call("PATCH", "/api/v1/residents/" + b["id"],
                                        {"id_number": id_number("33118119520304002")},
                                        {"If-Match": '"1"'})
        self.assertEqual(status, 200, created)
        status, _, found = worker.call("GET", "/api/v1/residents?id_number=" +
                                       id_number("33118119520304002"))
        self.assertEqual(status, 200, found)
        self.assertEqual(found["total"], 1)
        self.assertEqual(found["items"][0]["access"], "search")
        self.assertNotIn("birth_date", found["items"][0])
        self.assertEqual(found["items"][0]["name"], "季秀英")
        # Masked everywhere until unmasked, and only for the one who unmasked.
        for client in (admin, worker):
            for path in ("/api/v1/residents?page_size=200", "/api/v1/residents/" + a["id"],
                         "/api/v1/residents?id_number=" + plain_id):
                status, _, body = client.call("GET", path)
                text = json.dumps(body, ensure_ascii=False)
                self.assertNotIn(plain_id, text, path)
                self.assertNotIn(plain_phone, text, path)
        status, _, body = worker.call("POST", "/api/v1/residents/" + a["id"] + "/unmask",
                                      {"purpose": "入户核实"})
        self.assertEqual(status, 403)  # a grid worker has no registry:pii:unmask
        status, _, body = admin.call("POST", "/api/v1/residents/" + a["id"] + "/unmask",
                                     {"purpose": "   "})
        self.assertEqual(status, 400)
        status, _, body = admin.call("POST", "/api/v1/residents/" + a["id"] + "/unmask",
                                     {"purpose": "入户核实"})
        self.assertEqual(status, 200, body)
        self.assertEqual(body["id_number"], plain_id)
        self.assertEqual(body["phones"], [plain_phone])
        _, _, again = admin.call("GET", "/api/v1/residents/" + a["id"])
        self.assertEqual(again["id_number"], plain_id)
        self.assertTrue(again["unmasked"])
        _, _, other = worker.call("GET", "/api/v1/residents/" + a["id"])
        self.assertNotEqual(other["id_number"], plain_id)

    def check_answer_cache(self, admin, db, micro_a):
        """A repeated list is answered from the cache and still audited each time; a write, in
        this process or in another one, shows in the next answer (another's within a second)."""
        path = "/api/v1/residents?page_size=5&sort=name&name=" + urllib.parse.quote("缓存")

        def audited():
            _, _, log = admin.call("GET", "/api/v1/audit?action=resident.list&limit=1000")
            return [e for e in log["items"] if e["detail"]["query"] == path.split("?", 1)[1]]

        status, headers, first = admin.call("GET", path)
        self.assertEqual((status, first["total"]), (200, 0), first)
        status, headers, again = admin.call("GET", path)
        self.assertEqual((status, headers.get("X-Cache")), (200, "hit"))
        self.assertEqual(again, first)
        self.assertEqual(len(audited()), 2)
        # A write through the API.
        status, _, body = admin.call("POST", "/api/v1/residents", {
            "name": "缓存甲", "gender": "male", "birth_date": "1970-01-01", "unit_id": micro_a["id"]})
        self.assertEqual(status, 201, body)
        status, headers, page = admin.call("GET", path)
        self.assertEqual((page["total"], headers.get("X-Cache")), (1, "miss"))
        # A write by another process: a command-line import.
        csv = os.path.join(self.work.path, "cache.csv")
        with open(csv, "w", encoding="utf-8") as f:
            f.write("姓名,性别,身份证号,出生日期,联系电话,所属社区,人户状态,标签\n"
                    "缓存乙,女,,1971-02-03,,城东社区,户在人在,\n")
        self.work.run("--db", db, "import", "residents", csv)
        deadline = time.time() + 1.0
        while True:
            _, _, page = admin.call("GET", path)
            if page["total"] == 2 or time.time() > deadline:
                break
            time.sleep(0.05)
        self.assertCountEqual([r["name"] for r in page["items"]], ["缓存乙", "缓存甲"])

    def check_concurrency(self, admin, a):
        _, headers, current = admin.call("GET", "/api/v1/residents/" + a["id"])
        etag = headers["ETag"]
        first = admin.call("PATCH", "/api/v1/residents/" + a["id"], {"notes": "第一次"},
                           {"If-Match": etag})
        second = admin.call("PATCH", "/api/v1/residents/" + a["id"], {"notes": "第二次"},
                            {"If-Match": etag})
        self.assertEqual(sorted([first[0], second[0]]), [200, 412])
        self.assertEqual(first[2]["notes"], "第一次")
        self.assertEqual(first[1]["ETag"], '"%d"' % (current["version"] + 1))
        status, _, _ = admin.call("PATCH", "/api/v1/residents/" + a["id"], {"notes": "x"})
        self.assertEqual(status, 428)
        # The history names who changed what, from the console.
        _, _, detail = admin.call("GET", "/api/v1/residents/" + a["id"])
        self.assertTrue(any("notes" in change["fields"] and change["source"] == "console"
                            for change in detail["history"]))

    def check_bad_input(self, admin, micro_a):
        cases = [
            (b"{not json", 400, "json"),
            (b"[1,2]", 400, "json"),
            (json.dumps({"name": "x", "unit_id": micro_a["id"], "gender": "male",
                         "admin": True}).encode(), 400, "unknown_field"),
            (json.dumps({"name": 12, "unit_id": micro_a["id"]}).encode(), 400, "type"),
            (json.dumps({"name": "x", "unit_id": "abc"}).encode(), 400, "type"),
            (json.dumps({"name": "x", "unit_id": micro_a["id"], "gender": "male",
                         "id_number": "331181195001010030"}).encode(), 400, None),
            (json.dumps({"name": "x", "unit_id": micro_a["id"], "gender": "male",
                         "phones": ["123"]}).encode(), 400, "phone.invalid"),
        ]
        for raw, status, code in cases:
            got, _, body = admin.call("POST", "/api/v1/residents", raw=raw)
            self.assertEqual(got, status, (raw, body))
            self.assertIn("message", body["error"])
            if code:
                self.assertEqual(error_code(body)[1], code, (raw, body))
        got, _, body = admin.call("POST", "/api/v1/residents", raw=b"{" + b" " * (2 << 20) + b"}")
        self.assertEqual(got, 413)
        # SQL and markup are text: stored and returned as written.
        for name in ("O'Brien; DROP TABLE resident;--", "<script>alert(1)</script>"):
            got, _, body = admin.call("POST", "/api/v1/residents", {
                "name": name, "gender": "male", "unit_id": micro_a["id"], "notes": name})
            self.assertEqual(got, 201, body)
            _, _, stored = admin.call("GET", "/api/v1/residents/" + body["id"])
            self.assertEqual((stored["name"], stored["notes"]), (name, name))
        # English on request.
        english = Client(admin.url, language="en")
        english.opener = admin.opener
        english.csrf = admin.csrf
        got, _, body = english.call("GET", "/api/v1/residents/1")
        self.assertEqual(got, 404)
        self.assertEqual(body["error"]["message"], "no such resident")

    def check_sessions_and_tokens(self, admin):
        # Unsafe requests need the CSRF header with a session cookie.
        no_csrf = Client(admin.url)
        no_csrf.opener = admin.opener
        status, _, body = no_csrf.call("POST", "/api/v1/auth/tokens", {"name": "x"})
        self.assertEqual((status, error_code(body)[1]), (403, "auth.csrf"))
        # A bearer token works without cookie or CSRF, until revoked.
        status, _, token = admin.call("POST", "/api/v1/auth/tokens", {"name": "集成", "expires_days": 30})
        self.assertEqual(status, 201, token)
        bearer = Client(admin.url, token=token["token"])
        self.assertEqual(bearer.call("GET", "/api/v1/auth/me")[0], 200)
        self.assertEqual(admin.call("DELETE", "/api/v1/auth/tokens/" + token["id"])[0], 200)
        self.assertEqual(bearer.call("GET", "/api/v1/auth/me")[0], 401)
        self.assertEqual(Client(admin.url).call("GET", "/api/v1/residents")[0], 401)
        # Five wrong passwords lock the account, whatever comes next.
        self.make_user(admin, "lockme", ["auditor"], {})
        client = Client(admin.url)
        for _ in range(4):
            self.assertEqual(client.login("lockme", "wrong-password-1")[0], 401)
        status, body = client.login("lockme", "wrong-password-1")
        self.assertEqual((status, error_code(body)[1]), (403, "auth.locked"))
        status, body = client.login("lockme", PASSWORD)
        self.assertEqual((status, error_code(body)[1]), (403, "auth.locked"))
        # Logout ends the session.
        status, body = client.login("admin", PASSWORD)
        self.assertEqual(status, 200)
        self.assertEqual(client.call("POST", "/api/v1/auth/logout")[0], 200)
        self.assertEqual(client.call("GET", "/api/v1/auth/me")[0], 401)

    def check_org_editing(self, admin, community, grid_a, grid_b):
        # Create a grid, rename it (If-Match), give it a boundary, end it.
        status, headers, grid = admin.call("POST", "/api/v1/org/units", {
            "parent_id": community["id"], "name": "第99网格", "valid_from": "2020-01-01"})
        self.assertEqual(status, 201, grid)
        self.assertEqual((grid["kind"], grid["parent_id"]), ("grid", community["id"]))
        status, _, renamed = admin.call("PATCH", "/api/v1/org/units/" + grid["id"],
                                        {"name": "新建网格"}, {"If-Match": headers["ETag"]})
        self.assertEqual((status, renamed["name"]), (200, "新建网格"))
        status, _, _ = admin.call("PATCH", "/api/v1/org/units/" + grid["id"], {"name": "x"},
                                  {"If-Match": headers["ETag"]})
        self.assertEqual(status, 412)
        bad = {"type": "Polygon", "coordinates": [[[119.1, 28.0], [119.2, 28.0], [119.1, 28.0]]]}
        status, _, body = admin.call("PUT", "/api/v1/org/units/" + grid["id"] + "/boundary", bad,
                                     {"If-Match": '"%d"' % renamed["version"]})
        self.assertEqual((status, error_code(body)[1]), (400, "boundary.invalid"))
        square = {"type": "Polygon", "coordinates": [[[119.1, 28.0], [119.2, 28.0], [119.2, 28.1],
                                                      [119.1, 28.1], [119.1, 28.0]]]}
        status, _, body = admin.call("PUT", "/api/v1/org/units/" + grid["id"] + "/boundary",
                                     {"type": "Feature", "properties": {}, "geometry": square},
                                     {"If-Match": '"%d"' % renamed["version"]})
        self.assertEqual(status, 200, body)
        status, _, feature = admin.call("GET", "/api/v1/org/units/" + grid["id"] + "/boundary")
        self.assertEqual(feature["geometry"]["coordinates"], square["coordinates"])
        # The one map's layer: every micro-grid with a boundary, cached until the next change.
        status, headers, layer = admin.call("GET", "/api/v1/org/boundaries?kind=micro_grid")
        self.assertEqual(status, 200)
        self.assertEqual(layer["type"], "FeatureCollection")
        self.assertGreater(len(layer["features"]), 1000)
        status, headers2, layer2 = admin.call("GET", "/api/v1/org/boundaries?kind=micro_grid")
        self.assertEqual((headers["X-Cache"], headers2["X-Cache"]), ("miss", "hit"))
        self.assertEqual(layer, layer2)
        status, _, simple = admin.call("GET", "/api/v1/org/boundaries?kind=community&tolerance=0.01")
        self.assertEqual(status, 200)
        self.assertLessEqual(len(json.dumps(simple)), len(json.dumps(
            admin.call("GET", "/api/v1/org/boundaries?kind=community")[2])))
        # Ending it works while it is empty; a grid with micro-grids cannot end.
        self.assertEqual(admin.call("POST", "/api/v1/org/units/" + grid["id"] + "/end", {})[0], 200)
        status, _, body = admin.call("POST", "/api/v1/org/units/" + grid_b["id"] + "/end", {})
        self.assertEqual((status, error_code(body)[1]), (409, "org.has_children"))
        # Moving a micro-grid of grid B to grid A: a successor carries its residents.
        _, _, micro = admin.call("GET", "/api/v1/org/units?parent=" + grid_b["id"])
        moving = micro["items"][-1]
        _, _, before = admin.call("GET", "/api/v1/residents?page_size=1&unit=" + moving["id"])
        status, _, successor = admin.call("POST", "/api/v1/org/units/" + moving["id"] + "/move",
                                          {"parent_id": grid_a["id"]})
        self.assertEqual(status, 201, successor)
        self.assertEqual(successor["parent_id"], grid_a["id"])
        _, _, after = admin.call("GET", "/api/v1/residents?page_size=1&unit=" + successor["id"])
        self.assertEqual(after["total"], before["total"])
        status, _, body = admin.call("POST", "/api/v1/org/units/" + grid_a["id"] + "/move",
                                     {"parent_id": grid_b["id"]})
        self.assertEqual((status, error_code(body)[1]), (400, "org.wrong_level"))

    def check_places_dictionaries_and_stats(self, admin, community, grid_a, micro_a):
        # Places: complexes belong to communities, buildings to micro-grids, households to buildings.
        status, _, complex_ = admin.call("POST", "/api/v1/places/complexes", {
            "unit_id": community["id"], "name": "龙渊小区", "address": "龙渊路 1 号"})
        self.assertEqual(status, 201, complex_)
        status, _, body = admin.call("POST", "/api/v1/places/complexes", {
            "unit_id": micro_a["id"], "name": "错层小区"})
        self.assertEqual((status, error_code(body)[1]), (400, "place.wrong_level"))
        status, _, building = admin.call("POST", "/api/v1/places/buildings", {
            "unit_id": micro_a["id"], "complex_id": complex_["id"], "name": "龙渊小区1幢",
            "lon": 119.141, "lat": 28.074, "floors": 6})
        self.assertEqual(status, 201, building)
        status, _, body = admin.call("POST", "/api/v1/places/buildings", {
            "unit_id": micro_a["id"], "name": "x", "lon": "east"})
        self.assertEqual((status, error_code(body)[1]), (400, "type"))
        _, _, buildings = admin.call("GET", "/api/v1/places/buildings?unit=" + micro_a["id"])
        mine = [b for b in buildings["items"] if b["id"] == building["id"]][0]
        self.assertEqual((mine["lon"], mine["lat"], mine["floors"]), (119.141, 28.074, 6))
        status, headers, moved = admin.call("PATCH", "/api/v1/places/buildings/" + building["id"],
                                            {"lon": 119.142, "floors": 7},
                                            {"If-Match": '"%d"' % mine["version"]})
        self.assertEqual((status, headers["ETag"]), (200, '"%d"' % (mine["version"] + 1)), moved)
        self.assertEqual(admin.call("PATCH", "/api/v1/places/buildings/" + building["id"],
                                    {"lat": 95}, {"If-Match": headers["ETag"]})[0], 400)
        self.assertEqual(admin.call("PATCH", "/api/v1/places/buildings/" + building["id"],
                                    {"name": "x"}, {"If-Match": '"%d"' % mine["version"]})[0], 412)
        _, _, buildings = admin.call("GET", "/api/v1/places/buildings?unit=" + micro_a["id"])
        mine = [b for b in buildings["items"] if b["id"] == building["id"]][0]
        self.assertEqual((mine["lon"], mine["lat"], mine["floors"]), (119.142, 28.074, 7))
        status, _, household = admin.call("POST", "/api/v1/places/households", {
            "building_id": building["id"], "unit_no": "1", "room": "101"})
        self.assertEqual(status, 201, household)
        status, _, body = admin.call("POST", "/api/v1/places/households", {
            "building_id": building["id"], "unit_no": "1", "room": "101"})
        self.assertEqual(status, 409)
        _, _, households = admin.call("GET", "/api/v1/places/households?building=" + building["id"])
        self.assertEqual([h["room"] for h in households["items"]], ["101"])
        _, _, complexes = admin.call("GET", "/api/v1/places/complexes?unit=" + community["id"])
        self.assertIn("龙渊小区", [c["name"] for c in complexes["items"]])
        # Dictionaries: one answer for the forms; tags editable by admins; sensitive stays sensitive.
        _, _, dictionaries = admin.call("GET", "/api/v1/dict")
        self.assertEqual([d["label"] for d in dictionaries["residence_status"]],
                         ["户在人在", "人在户不在", "户在人不在"])
        self.assertIn("assistance", dictionaries)
        status, _, _ = admin.call("POST", "/api/v1/dict/tags", {"code": "volunteer", "name": "志愿者"})
        self.assertEqual(status, 201)
        self.assertEqual(admin.call("POST", "/api/v1/dict/tags", {"code": "volunteer", "name": "x"})[0], 409)
        self.assertEqual(admin.call("POST", "/api/v1/dict/tags", {"code": "Bad Code", "name": "x"})[0], 400)
        status, _, _ = admin.call("PATCH", "/api/v1/dict/tags/volunteer", {"name": "志愿服务者"})
        self.assertEqual(status, 200)
        status, _, body = admin.call("PATCH", "/api/v1/dict/tags/disabled", {"sensitive": False})
        self.assertEqual((status, error_code(body)[1]), (409, "tag.builtin_sensitive"))
        _, _, tags = admin.call("GET", "/api/v1/dict/tags")
        self.assertIn("志愿服务者", [t["name"] for t in tags["items"]])
        self.check_dictionary_items(admin, micro_a)
        # Stats: the community's figures agree with the list, come from the cache until a write.
        status, headers, figures = admin.call("GET", "/api/v1/stats/summary?unit=" + community["id"])
        self.assertEqual(status, 200, figures)
        _, _, listed = admin.call("GET", "/api/v1/residents?page_size=1&unit=" + community["id"])
        self.assertEqual(figures["residents"], listed["total"])
        self.assertEqual(sum(figures["residence_status"].values()), figures["residents"])
        self.assertEqual(sum(figures["age_bands"].values()), figures["residents"])
        self.assertEqual(sum(c["residents"] for c in figures["by_child"]) +
                         figures["residents_not_in_a_child"], figures["residents"])
        self.assertEqual(figures["residents_not_in_a_child"], 1)  # the one imported to the community
        self.assertIn("assistance", figures)
        _, headers2, again = admin.call("GET", "/api/v1/stats/summary?unit=" + community["id"])
        self.assertEqual((headers["X-Cache"], headers2["X-Cache"], again), ("miss", "hit", figures))
        admin.call("POST", "/api/v1/residents", {"name": "新生儿", "gender": "female",
                                                "birth_date": "2026-01-02", "unit_id": micro_a["id"]})
        _, headers3, after = admin.call("GET", "/api/v1/stats/summary?unit=" + community["id"])
        self.assertEqual((headers3["X-Cache"], after["residents"]), ("miss", figures["residents"] + 1))
        self.assertEqual(after["age_bands"]["0-17"], figures["age_bands"]["0-17"] + 1)
        # Staff: a grid worker on grid A (phone masked), a building leader needs a building.
        status, _, staff = admin.call("POST", "/api/v1/org/units/%s/staff" % grid_a["id"], {
            "role": "grid_worker", "name": "王网格", "phone": "13905788888"})
        self.assertEqual(status, 201, staff)
        self.assertEqual((staff["role_label"], staff["phone"]), ("专职网格员", "139****8888"))
        status, _, body = admin.call("POST", "/api/v1/org/units/%s/staff" % grid_a["id"], {
            "role": "building_leader", "name": "李楼长"})
        self.assertEqual((status, error_code(body)[1]), (400, "staff.wrong_level"))
        status, _, leader = admin.call("POST", "/api/v1/org/units/%s/staff" % micro_a["id"], {
            "role": "building_leader", "name": "李楼长", "building_id": building["id"]})
        self.assertEqual(status, 201, leader)
        _, _, listed_staff = admin.call("GET", "/api/v1/org/units/%s/staff" % grid_a["id"])
        self.assertEqual([m["name"] for m in listed_staff["items"]], ["王网格"])
        self.assertNotIn("13905788888", json.dumps(listed_staff))
        _, _, staffed = admin.call("GET", "/api/v1/stats/summary?unit=" + community["id"])
        self.assertEqual(staffed["staffing"]["grid_worker"], 1)
        self.assertEqual(staffed["staffing"]["grids_without_grid_worker"],
                         staffed["units"]["grid"] - 1)
        self.assertEqual(admin.call("DELETE", "/api/v1/org/units/%s/staff/%s" % (grid_a["id"], staff["id"]))[0], 200)
        _, _, listed_staff = admin.call("GET", "/api/v1/org/units/%s/staff" % grid_a["id"])
        self.assertEqual(listed_staff["items"], [])
        # A grid worker's figures: their grid only, without sensitive figures.
        worker = self.make_user(admin, "stats_worker", ["grid_worker"], {grid_a["id"]: "capture"})
        _, _, theirs = worker.call("GET", "/api/v1/stats/summary")
        _, _, grid_list = admin.call("GET", "/api/v1/residents?page_size=1&unit=" + grid_a["id"])
        self.assertEqual(theirs["residents"], grid_list["total"])
        self.assertNotIn("assistance", theirs)
        self.assertNotIn("subsistence_allowance", theirs["tags"])
        self.assertEqual(worker.call("GET", "/api/v1/stats/summary?unit=" + community["id"])[0], 404)
        # Assistance types are as sensitive as the tags; editing dictionaries is for admins.
        self.assertNotIn("assistance", worker.call("GET", "/api/v1/dict")[2])
        self.assertEqual(worker.call("GET", "/api/v1/dict/assistance")[0], 403)
        self.assertEqual(worker.call("POST", "/api/v1/dict/relation_to_head", {"code": "亲戚"})[0], 403)
        self.check_place_editing(admin, worker, community, grid_a, micro_a, complex_, building,
                                 household)

    def check_dictionary_items(self, admin, micro_a):
        # The other dictionaries live in a table: relabelled and reordered by admins; codes are
        # added only to open ones (relations); the resident API takes only enabled relations.
        _, _, dictionaries = admin.call("GET", "/api/v1/dict")
        self.assertEqual([d["code"] for d in dictionaries["gender"]], ["male", "female"])
        self.assertEqual(dictionaries["gender"][0]["label_en"], "male")
        status, _, relations = admin.call("GET", "/api/v1/dict/relation_to_head")
        self.assertEqual((status, relations["open"], relations["items"][0]["code"]),
                         (200, True, "户主"))
        status, headers, added = admin.call("POST", "/api/v1/dict/relation_to_head",
                                            {"code": "儿媳", "label_en": "daughter-in-law"})
        self.assertEqual((status, added["label"], headers["ETag"]), (201, "儿媳", '"1"'), added)
        for path, body, wanted in (
                ("relation_to_head", {"code": "儿媳"}, (409, "dict.duplicate")),
                ("gender", {"code": "other"}, (409, "dict.fixed_codes")),
                ("relation_to_head", {"code": 5}, (400, "type")),
                ("relation_to_head", {"code": "亲" * 21}, (400, "too_long")),
                ("relation_to_head", {"code": "亲戚", "sort": 1}, (400, "unknown_field"))):
            status, _, answer = admin.call("POST", "/api/v1/dict/" + path, body)
            self.assertEqual((status, error_code(answer)[1]), wanted, (path, body, answer))
        self.assertEqual(admin.call("POST", "/api/v1/dict/colour", {"code": "red"})[0], 404)
        male = "/api/v1/dict/gender/male"
        status, headers, body = admin.call("PATCH", male, {"label": "男性", "sort_order": 30},
                                           {"If-Match": '"1"'})
        self.assertEqual((status, headers["ETag"], body["label"]), (200, '"2"', "男性"), body)
        self.assertEqual(admin.call("PATCH", male, {"label": "x"}, {"If-Match": '"1"'})[0], 412)
        self.assertEqual(admin.call("PATCH", male, {"label": "x"})[0], 428)
        self.assertEqual(admin.call("PATCH", male, {"enabled": "no"}, {"If-Match": '"2"'})[0], 400)
        self.assertEqual(admin.call("PATCH", "/api/v1/dict/gender/other", {"label": "x"},
                                    {"If-Match": '"1"'})[0], 404)
        status, _, body = admin.call("PATCH", "/api/v1/dict/gender/female", {"enabled": False},
                                     {"If-Match": '"1"'})
        self.assertEqual((status, error_code(body)[1]), (409, "dict.fixed_codes"))
        _, _, dictionaries = admin.call("GET", "/api/v1/dict")
        self.assertEqual([d["label"] for d in dictionaries["gender"]], ["女", "男性"])
        # Relations typed in the API come from the dictionary; a disabled one no longer does.
        person = {"name": "儿媳妇", "gender": "female", "unit_id": micro_a["id"],
                  "relation_to_head": "儿媳"}
        status, _, relative = admin.call("POST", "/api/v1/residents", person)
        self.assertEqual(status, 201, relative)
        status, _, body = admin.call("POST", "/api/v1/residents",
                                     dict(person, relation_to_head="外星人"))
        self.assertEqual((status, error_code(body)[1], body["error"]["details"][0]["field"]),
                         (400, "dict.unknown_code", "relation_to_head"))
        status, _, body = admin.call("PATCH", "/api/v1/dict/relation_to_head/" +
                                     urllib.parse.quote("儿媳"), {"enabled": False},
                                     {"If-Match": '"1"'})
        self.assertEqual((status, body["enabled"]), (200, False), body)
        status, _, body = admin.call("PATCH", "/api/v1/dict/relation_to_head/" +
                                     urllib.parse.quote("户主"), {"enabled": False},
                                     {"If-Match": '"1"'})
        self.assertEqual((status, error_code(body)[1]), (409, "dict.builtin"))
        _, _, dictionaries = admin.call("GET", "/api/v1/dict")
        self.assertNotIn("儿媳", [d["code"] for d in dictionaries["relation_to_head"]])
        _, _, relations = admin.call("GET", "/api/v1/dict/relation_to_head")
        self.assertIn(("儿媳", False), [(i["code"], i["enabled"]) for i in relations["items"]])
        self.assertEqual(admin.call("POST", "/api/v1/residents", person)[0], 400)
        # A value already stored stays: the resident is edited without choosing again.
        status, _, body = admin.call("PATCH", "/api/v1/residents/" + relative["id"],
                                     {"notes": "改", "relation_to_head": "儿媳"},
                                     {"If-Match": '"%d"' % relative["version"]})
        self.assertEqual(status, 200, body)
        self.audit_entry(admin, "action=dict.item.update",
                         lambda entry: entry["detail"].get("code") == "儿媳")

    def check_place_editing(self, admin, worker, community, grid_a, micro_a, complex_, building,
                            household):
        # Complexes: edited with If-Match, inside the capture scope, keeping their buildings.
        def version(path, item_id):
            _, _, listing = admin.call("GET", path)
            return {"If-Match": '"%d"' % [i for i in listing["items"]
                                          if i["id"] == item_id][0]["version"]}
        complexes = "/api/v1/places/complexes?unit=" + community["id"]
        path = "/api/v1/places/complexes/" + complex_["id"]
        stale = version(complexes, complex_["id"])
        self.assertEqual(admin.call("PATCH", path, {"name": "x"})[0], 428)
        self.assertEqual(worker.call("PATCH", path, {"name": "x"}, stale)[0], 404)
        status, headers, body = admin.call("PATCH", path, {"name": "龙渊新村",
                                                           "property_company": "龙泉物业"}, stale)
        self.assertEqual((status, headers["ETag"]),
                         (200, '"%d"' % (int(stale["If-Match"][1:-1]) + 1)), body)
        self.assertEqual(admin.call("PATCH", path, {"name": "x"}, stale)[0], 412)
        _, _, other = admin.call("GET", "/api/v1/org/units/search?q=" + urllib.parse.quote("南秦社区"))
        other_community = [u for u in other["items"] if u["kind"] == "community"][0]
        for body, wanted in (({"name": 5}, (400, "type")),
                             ({"unit_id": micro_a["id"]}, (400, "place.wrong_level")),
                             ({"unit_id": other_community["id"]}, (409, "place.buildings_elsewhere"))):
            status, _, answer = admin.call("PATCH", path, body, {"If-Match": headers["ETag"]})
            self.assertEqual((status, error_code(answer)[1]), wanted, (body, answer))
        _, _, listed = admin.call("GET", complexes)
        self.assertIn("龙渊新村", [c["name"] for c in listed["items"]])
        status, _, body = admin.call("DELETE", path, headers={"If-Match": headers["ETag"]})
        self.assertEqual((status, error_code(body)[1]), (409, "place.has_buildings"))
        self.assertIn("1", body["error"]["message"])
        # Households: moved to another building, their residents with them; head, assistance.
        hpath = "/api/v1/places/households/" + household["id"]
        status, _, member = admin.call("POST", "/api/v1/residents", {
            "name": "户内人", "gender": "male", "unit_id": micro_a["id"],
            "household_id": household["id"], "relation_to_head": "户主"})
        self.assertEqual(status, 201, member)
        status, _, stranger = admin.call("POST", "/api/v1/residents", {
            "name": "外人", "gender": "male", "unit_id": micro_a["id"]})
        self.assertEqual(status, 201, stranger)
        _, _, micro = admin.call("GET", "/api/v1/org/units?parent=" + grid_a["id"])
        micro_2 = [m for m in micro["items"] if m["id"] != micro_a["id"]][0]
        status, _, building_2 = admin.call("POST", "/api/v1/places/buildings", {
            "unit_id": micro_2["id"], "name": "龙渊小区2幢"})
        self.assertEqual(status, 201, building_2)
        buildings = "/api/v1/places/buildings?unit=" + micro_a["id"]
        bpath = "/api/v1/places/buildings/" + building["id"]
        status, _, body = admin.call("DELETE", bpath, headers=version(buildings, building["id"]))
        self.assertEqual((status, error_code(body)[1]), (409, "place.has_households"))
        one = {"If-Match": '"1"'}
        for body, wanted in (({"head_resident_id": stranger["id"]}, (400, "household.head_not_member")),
                             ({"assistance_type": "豪门"}, (400, "assistance.invalid")),
                             ({"assistance_from": "2026-13-01"}, (400, "date.invalid")),
                             ({"room": "101", "colour": 1}, (400, "unknown_field"))):
            status, _, answer = admin.call("PATCH", hpath, body, one)
            self.assertEqual((status, error_code(answer)[1]), wanted, (body, answer))
        self.assertEqual(worker.call("PATCH", hpath, {"assistance_type": None}, one)[0], 403)
        status, headers, body = admin.call("PATCH", hpath, {
            "building_id": building_2["id"], "room": "201", "head_resident_id": member["id"],
            "assistance_type": "低保", "assistance_from": "2026-01-01"}, one)
        self.assertEqual((status, headers["ETag"]), (200, '"2"'), body)
        self.assertEqual(admin.call("PATCH", hpath, {"room": "202"}, one)[0], 412)
        _, _, moved = admin.call("GET", "/api/v1/residents/" + member["id"])
        self.assertEqual(moved["unit"]["id"], micro_2["id"])
        households = "/api/v1/places/households?building=" + building_2["id"]
        _, _, listed = admin.call("GET", households)
        self.assertEqual([(h["room"], h["head_resident_id"], h["assistance_type"])
                          for h in listed["items"]],
                         [("201", member["id"], "subsistence_allowance")])
        _, _, listed = worker.call("GET", households)
        self.assertNotIn("assistance_type", listed["items"][0])
        # Deleting: only what is empty, with If-Match; 409 says what is left.
        status, _, body = admin.call("DELETE", hpath, headers={"If-Match": '"2"'})
        self.assertEqual((status, error_code(body)[1]), (409, "place.has_residents"))
        self.assertIn("1", body["error"]["message"])
        self.assertEqual(worker.call("DELETE", hpath, headers={"If-Match": '"2"'})[0], 409)
        _, headers, _ = admin.call("GET", "/api/v1/residents/" + member["id"])
        self.assertEqual(admin.call("DELETE", "/api/v1/residents/" + member["id"],
                                    {"reason": "迁出"}, {"If-Match": headers["ETag"]})[0], 200)
        self.assertEqual(admin.call("DELETE", hpath, headers=one)[0], 412)
        self.assertEqual(admin.call("DELETE", hpath)[0], 428)
        self.assertEqual(admin.call("DELETE", hpath, headers={"If-Match": '"2"'})[0], 200)
        self.assertEqual(admin.call("GET", households)[2]["items"], [])
        self.assertEqual(admin.call("DELETE", hpath, headers={"If-Match": '"2"'})[0], 404)
        # A building with a current leader stays; an empty building and an empty complex go.
        status, _, body = admin.call("DELETE", bpath, headers=version(buildings, building["id"]))
        self.assertEqual((status, error_code(body)[1]), (409, "place.has_staff"))
        self.assertEqual(admin.call("DELETE", "/api/v1/places/buildings/" + building_2["id"],
                                    headers={"If-Match": '"1"'})[0], 200)
        self.assertNotIn(building_2["id"], [b["id"] for b in admin.call(
            "GET", "/api/v1/places/buildings?unit=" + micro_2["id"])[2]["items"]])
        status, _, empty = admin.call("POST", "/api/v1/places/complexes", {
            "unit_id": community["id"], "name": "空小区"})
        self.assertEqual(status, 201, empty)
        self.assertEqual(admin.call("DELETE", "/api/v1/places/complexes/" + empty["id"],
                                    headers={"If-Match": '"1"'})[0], 200)
        self.assertNotIn(empty["id"], [c["id"] for c in admin.call("GET", complexes)[2]["items"]])
        self.audit_entry(admin, "action=place.complex.delete",
                         lambda entry: entry["target"] == "complex:" + empty["id"])

    def check_user_and_role_admin(self, admin, grid_a):
        worker = self.make_user(admin, "role_test", ["building_leader"], {grid_a["id"]: "capture"})
        _, _, me = worker.call("GET", "/api/v1/auth/me")
        self.assertNotIn("registry:resident:edit", me["permissions"])
        # Give building leaders the right to edit residents: the next request sees it.
        _, _, roles = admin.call("GET", "/api/v1/system/roles")
        role = [r for r in roles["items"] if r["code"] == "building_leader"][0]
        status, _, body = admin.call("PATCH", "/api/v1/system/roles/building_leader",
                                     {"permissions": role["permissions"] + ["registry:resident:edit"]},
                                     {"If-Match": '"%d"' % role["version"]})
        self.assertEqual(status, 200, body)
        _, _, me = worker.call("GET", "/api/v1/auth/me")
        self.assertIn("registry:resident:edit", me["permissions"])
        status, _, body = admin.call("PATCH", "/api/v1/system/roles/building_leader",
                                     {"permissions": ["no:such:permission"]},
                                     {"If-Match": '"%d"' % (role["version"] + 1)})
        self.assertEqual(status, 400, body)
        self.assertEqual(admin.call("PATCH", "/api/v1/system/roles/building_leader",
                                    {"permissions": []}, {"If-Match": '"%d"' % role["version"]})[0], 412)
        _, _, catalogue = admin.call("GET", "/api/v1/system/permissions")
        self.assertIn("registry:pii:unmask", [p["code"] for p in catalogue["items"]])
        # Disabling a user ends their session at once; a reset password must be changed.
        _, _, users = admin.call("GET", "/api/v1/system/users")
        user_id = [u for u in users["items"] if u["login"] == "role_test"][0]["id"]
        self.assertEqual(admin.call("PATCH", "/api/v1/system/users/" + user_id, {"disabled": True})[0], 200)
        self.assertEqual(worker.call("GET", "/api/v1/auth/me")[0], 401)
        self.assertEqual(admin.call("PATCH", "/api/v1/system/users/" + user_id, {"disabled": False})[0], 200)
        self.assertEqual(admin.call("POST", "/api/v1/system/users/" + user_id + "/password",
                                    {"password": "Reset2026abc"})[0], 200)
        again = Client(admin.url)
        status, body = again.login("role_test", "Reset2026abc")
        self.assertEqual((status, body["must_change_password"]), (200, True))

    def check_user_editing_and_role_deletion(self, admin, community, grid_a, grid_b, far_grid):
        worker = self.make_user(admin, "edit_me", ["building_leader"], {grid_a["id"]: "capture"})
        _, _, users = admin.call("GET", "/api/v1/system/users")
        target = [u for u in users["items"] if u["login"] == "edit_me"][0]
        path = "/api/v1/system/users/" + target["id"]
        self.assertEqual(worker.call("GET", "/api/v1/org/units/" + grid_b["id"])[0], 404)
        # Roles and units need the version edited: 428 without, 412 when stale.
        change = {"roles": ["grid_worker"], "units": {grid_b["id"]: "capture"},
                  "display_name": "王二"}
        self.assertEqual(admin.call("PATCH", path, change)[0], 428)
        self.assertEqual(admin.call("PATCH", path, change,
                                    {"If-Match": '"%d"' % (target["version"] + 5)})[0], 412)
        status, headers, updated = admin.call("PATCH", path, change,
                                              {"If-Match": '"%d"' % target["version"]})
        self.assertEqual(status, 200, updated)
        self.assertEqual(headers["ETag"], '"%d"' % (target["version"] + 1))
        self.assertEqual((updated["roles"], updated["display_name"]), (["grid_worker"], "王二"))
        self.assertEqual(updated["units"], [{"unit_id": grid_b["id"], "scope": "capture"}])
        # The worker's open session has the new roles and units at its next request.
        _, _, me = worker.call("GET", "/api/v1/auth/me")
        self.assertIn("registry:resident:edit", me["permissions"])
        self.assertEqual([u["id"] for u in me["units"]], [grid_b["id"]])
        self.assertEqual(worker.call("GET", "/api/v1/org/units/" + grid_b["id"])[0], 200)
        self.assertEqual(worker.call("GET", "/api/v1/org/units/" + grid_a["id"])[0], 404)
        _, _, after = worker.call("GET", "/api/v1/residents?page_size=1")
        _, _, in_b = admin.call("GET", "/api/v1/residents?page_size=1&unit=" + grid_b["id"])
        self.assertEqual(after["total"], in_b["total"])
        # Audited with the roles and units before and after.
        detail = self.audit_entry(admin, "action=user.update&target=user:" + target["id"],
                                  lambda entry: True)["detail"]
        self.assertEqual(detail["roles"], {"old": ["building_leader"], "new": ["grid_worker"]})
        self.assertEqual(detail["units"]["old"], [{"unit_id": grid_a["id"], "scope": "capture"}])
        # Nobody changes their own roles; nobody grants what they lack or reaches outside.
        _, _, own = admin.call("GET", "/api/v1/system/users")
        mine = [u for u in own["items"] if u["login"] == "admin"][0]
        status, _, body = admin.call("PATCH", "/api/v1/system/users/" + mine["id"],
                                     {"roles": ["auditor"]}, {"If-Match": '"%d"' % mine["version"]})
        self.assertEqual(status, 409, body)
        _, _, street = admin.call("GET", "/api/v1/org/units/" + community["parent_id"])
        self.assertEqual(street["kind"], "street")
        street_admin = self.make_user(admin, "jiedao", ["street_admin"], {street["id"]: "capture"})
        status, _, body = street_admin.call("PATCH", path, {"roles": ["city_admin"]},
                                            {"If-Match": headers["ETag"]})
        self.assertEqual((status, error_code(body)[1]), (403, "role.escalation"))
        status, _, body = street_admin.call("POST", "/api/v1/system/users", {
            "login": "jiedao_city", "password": PASSWORD, "roles": ["city_admin"],
            "units": {grid_a["id"]: "capture"}})
        self.assertEqual((status, error_code(body)[1]), (403, "role.escalation"))
        status, _, body = street_admin.call("PATCH", path, {"units": {far_grid["id"]: "view"}},
                                            {"If-Match": headers["ETag"]})
        self.assertEqual(status, 403, body)
        status, _, body = street_admin.call("PATCH", path, {"roles": ["social_worker"]},
                                            {"If-Match": headers["ETag"]})
        self.assertEqual(status, 200, body)
        # Roles: built-in ones stay; one still held says by how many; a free one goes, audited.
        status, _, body = admin.call("DELETE", "/api/v1/system/roles/auditor")
        self.assertEqual((status, error_code(body)[1]), (409, "role.builtin"))
        status, _, role = admin.call("POST", "/api/v1/system/roles", {
            "code": "data_clerk", "name": "数据录入员", "permissions": ["registry:import:run"]})
        self.assertEqual(status, 201, role)
        status, headers, body = admin.call("PATCH", path, {"roles": ["data_clerk"]},
                                           {"If-Match": '"%d"' % (target["version"] + 2)})
        self.assertEqual(status, 200, body)
        status, _, body = admin.call("DELETE", "/api/v1/system/roles/data_clerk")
        self.assertEqual((status, error_code(body)[1]), (409, "role.in_use"))
        self.assertEqual(body["error"]["details"][0]["message"], "1")
        self.assertIn("1", body["error"]["message"])
        self.assertEqual(admin.call("PATCH", path, {"roles": []}, {"If-Match": headers["ETag"]})[0], 200)
        self.assertEqual(admin.call("DELETE", "/api/v1/system/roles/data_clerk")[0], 200)
        self.assertEqual(admin.call("DELETE", "/api/v1/system/roles/data_clerk")[0], 404)
        self.audit_entry(admin, "action=role.delete",
                         lambda entry: entry["target"] == "role:data_clerk")

    def audit_entry(self, admin, query, predicate):
        """The newest audit entry of the query that satisfies predicate (entries are written by a
        background thread, a moment after the request)."""
        deadline = time.time() + 5
        while True:
            _, _, log = admin.call("GET", "/api/v1/audit?" + query)
            found = [entry for entry in log["items"] if predicate(entry)]
            if found:
                return found[0]
            self.assertLess(time.time(), deadline, "no audit entry for " + query)
            time.sleep(0.05)

    def check_login_throttle(self, admin):
        # Failed sign-ins from one address, whatever the login, shut it out (20 within 10 minutes);
        # the per-account lock alone would let it try five passwords on every account.
        client = Client(admin.url)
        for attempt in range(25):
            status, body = client.login("nobody%d" % attempt, "wrong-password-1")
            if status == 429:
                break
            self.assertEqual(status, 401, body)
        self.assertEqual((status, error_code(body)), (429, ("resource_exhausted", "auth.throttled")))
        self.assertLessEqual(attempt, 20)
        status, headers, body = client.call("POST", "/api/v1/auth/login",
                                            {"login": "admin", "password": PASSWORD})
        self.assertEqual(status, 429, body)
        retry = int(body["error"]["details"][0]["message"])
        self.assertTrue(0 < retry <= 600, retry)
        self.assertEqual(headers["Retry-After"], str(retry))
        # Sessions already open are not affected.
        self.assertEqual(admin.call("GET", "/api/v1/auth/me")[0], 200)
        self.audit_entry(admin, "action=login.failure&limit=5",
                         lambda entry: entry["detail"].get("reason") == "auth.throttled")

    def check_matrix_units(self, expect, perms, code, grid_a, micro_a, far_grid, far_unit, square):
        """Unit editing: a micro-grid of the user's own made, renamed, bounded, moved and ended."""
        far = "/api/v1/org/units/" + far_unit["id"]
        far_version = {"If-Match": '"%d"' % far_unit["version"]}
        expect("POST", "/api/v1/org/units", "org:unit:edit", False,
               {"parent_id": far_grid["id"], "name": "外" + code})
        status, headers, made = expect("POST", "/api/v1/org/units", "org:unit:edit", True,
                                       {"parent_id": grid_a["id"], "name": "矩阵" + code,
                                        "valid_from": "2020-01-01"})
        mine = "/api/v1/org/units/" + (made["id"] if status == 201 else micro_a["id"])
        version = {"If-Match": headers.get("ETag", '"1"')}
        status, headers, _ = expect("PATCH", mine, "org:unit:edit", True, {"name": "矩阵改" + code},
                                    version)
        version = {"If-Match": headers.get("ETag", '"1"')}
        expect("PATCH", far, "org:unit:edit", False, {"name": "x"}, far_version)
        expect("PUT", mine + "/boundary", "org:unit:edit", True, square, version)
        expect("PUT", far + "/boundary", "org:unit:edit", False, square, far_version)
        # The scope's only grid is already the parent: the store answers (400), the scope let it by.
        expect("POST", mine + "/move", "org:unit:edit", True, {"parent_id": grid_a["id"]}, ok=(400,))
        expect("POST", mine + "/move", "org:unit:edit", False, {"parent_id": far_grid["id"]})
        expect("POST", far + "/move", "org:unit:edit", False, {"parent_id": grid_a["id"]})
        expect("POST", far + "/end", "org:unit:edit", False, {})
        expect("POST", mine + "/end", "org:unit:edit", True, {})

    def check_matrix_users_and_roles(self, expect, admin, perms, code, micro_a, micro_far, far_user,
                                     city_permissions):
        """Users: managed only inside the capture scope and without escalation; roles deleted."""
        status, _, target = admin.call("POST", "/api/v1/system/users", {
            "login": "t_" + code, "password": PASSWORD, "roles": ["building_leader"],
            "units": {micro_a["id"]: "capture"}})
        self.assertEqual(status, 201, target)
        path = "/api/v1/system/users/" + target["id"]
        status, headers, _ = expect("PATCH", path, "system:user:edit", True, {
            "roles": ["building_leader"], "units": {micro_a["id"]: "view"}, "display_name": "改"},
            {"If-Match": '"%d"' % target["version"]})
        version = {"If-Match": headers.get("ETag", '"1"')}
        expect("PATCH", path, "system:user:edit", False, {"units": {micro_far["id"]: "view"}},
               version, out_status=403)
        expect("PATCH", "/api/v1/system/users/" + far_user["id"], "system:user:edit", False,
               {"display_name": "x"}, {"If-Match": '"%d"' % far_user["version"]}, out_status=403)
        expect("PATCH", "/api/v1/system/users/" + far_user["id"], "system:user:edit", False,
               {"disabled": True}, out_status=403)
        expect("POST", "/api/v1/system/users", "system:user:edit", True, {
            "login": "n_" + code, "password": PASSWORD, "roles": ["building_leader"],
            "units": {micro_a["id"]: "capture"}})
        expect("POST", "/api/v1/system/users", "system:user:edit", False, {
            "login": "o_" + code, "password": PASSWORD, "roles": ["building_leader"],
            "units": {micro_far["id"]: "capture"}}, out_status=403)
        # Granting a role needs all of its permissions.
        expect("PATCH", path, "system:user:edit", city_permissions <= perms,
               {"roles": ["city_admin"]}, version, out_status=403)
        status, _, role = admin.call("POST", "/api/v1/system/roles", {
            "code": "r_" + code, "name": "矩阵角色", "permissions": ["place:view"]})
        self.assertEqual(status, 201, role)
        expect("DELETE", "/api/v1/system/roles/r_" + code, "system:role:edit", True)
        expect("DELETE", "/api/v1/system/roles/auditor", "system:role:edit", False, out_status=409)

    def check_matrix_tokens(self, expect, user, admin_token, inside, outside):
        """API tokens: one's own only, and a token reaches what its user reaches."""
        status, _, token = expect("POST", "/api/v1/auth/tokens", "", True, {"name": "矩阵"})
        bearer = Client(user.url, token=token["token"])
        for record, in_scope in ((inside, True), (outside, False)):
            expect("GET", "/api/v1/residents/" + record["id"], "registry:resident:view", in_scope,
                   client=bearer)
        expect("GET", "/api/v1/auth/tokens", "", True)
        expect("DELETE", "/api/v1/auth/tokens/" + admin_token["id"], "", False)
        expect("DELETE", "/api/v1/auth/tokens/" + token["id"], "", True)
        self.assertEqual(bearer.call("GET", "/api/v1/auth/me")[0], 401)

    def check_matrix_import(self, expect, user, admin, perms, index, own_community, grid_a,
                            far_community, far_grid):
        """Import steps: rows go only into the capture scope; a job is its owner's."""
        header = "姓名,性别,身份证号,出生日期,联系电话,所属社区,所属网格"
        lines = [header,
                 "矩阵内,,%s,,,%s,%s" % (id_number("1101011985%02d10001" % (index + 1)),
                                      own_community["name"], grid_a["name"]),
                 "矩阵外,,%s,,,%s,%s" % (id_number("1101011985%02d10002" % (index + 1)),
                                      far_community["name"], far_grid["name"])]
        data = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        csv = {"Content-Type": "text/csv"}
        status, _, job = user.call("POST", "/api/v1/imports?name=matrix.csv", raw=data, headers=csv)
        if "registry:import:run" not in perms:
            self.assertEqual(status, 403, job)
            expect("POST", "/api/v1/imports/1/dry-run", "registry:import:run", True)
            return
        self.assertEqual(status, 201, job)
        path = "/api/v1/imports/" + job["id"]
        self.assertEqual(admin.call("GET", path)[0], 404)
        self.assertEqual(admin.call("POST", path + "/commit", {"on_error": "skip"})[0], 404)
        for step, written in (("dry-run", False), ("commit", True)):
            status, _, body = user.call("POST", path + "/" + step, {"on_error": "skip"})
            self.assertEqual(status, 202, body)
            deadline = time.time() + 60
            while True:
                _, _, done = user.call("GET", path)
                if done["state"] in ("done", "failed", "cancelled") or time.time() > deadline:
                    break
                time.sleep(0.1)
            self.assertEqual(done["state"], "done", done)
            result = done["result"]
            self.assertEqual([p["code"] for p in result["problems"]], ["unit.out_of_scope"], result)
            self.assertEqual((result["outcomes"]["ok"], result["written"]), (1, written), result)
        self.assertEqual(result["applied"]["created"], 1, result)

    def check_matrix_places(self, expect, admin, code, micro_a, micro_far, own_community,
                            far_community):
        """Places edited and deleted (If-Match) only inside the capture scope. Complexes belong to
        communities, above grid A: a second user of the role, on grid A's community, edits them."""
        def made(path, body):
            status, _, answer = admin.call("POST", path, body)
            self.assertEqual(status, 201, answer)
            return answer["id"]

        def version(listing, item_id):
            _, _, body = admin.call("GET", listing)
            found = [i for i in body["items"] if i["id"] == item_id][0]
            return {"If-Match": '"%d"' % found["version"]}

        for unit, in_scope in ((micro_a, True), (micro_far, False)):
            building = made("/api/v1/places/buildings", {"unit_id": unit["id"], "name": "矩阵" + code})
            household = made("/api/v1/places/households", {"building_id": building, "room": code})
            path = "/api/v1/places/buildings/" + building
            hpath = "/api/v1/places/households/" + household
            buildings = "/api/v1/places/buildings?unit=" + unit["id"]
            households = "/api/v1/places/households?building=" + building
            expect("PATCH", path, "place:edit", in_scope, {"floors": 3}, {"If-Match": '"1"'})
            expect("PATCH", hpath, "place:edit", in_scope, {"unit_no": "2"}, {"If-Match": '"1"'})
            expect("DELETE", path, "place:edit", in_scope, headers=version(buildings, building),
                   ok=(409,))
            expect("DELETE", hpath, "place:edit", in_scope, headers=version(households, household))
            expect("DELETE", path, "place:edit", in_scope, headers=version(buildings, building))
        community_user = self.make_user(admin, "mc_" + code, [code], {own_community["id"]: "capture"})
        for community, in_scope in ((own_community, True), (far_community, False)):
            complex_ = made("/api/v1/places/complexes", {"unit_id": community["id"],
                                                         "name": "矩阵小区" + code})
            path = "/api/v1/places/complexes/" + complex_
            complexes = "/api/v1/places/complexes?unit=" + community["id"]
            expect("PATCH", path, "place:edit", False, {"name": "x"}, {"If-Match": '"1"'})
            expect("PATCH", path, "place:edit", in_scope, {"name": "矩阵改" + code},
                   {"If-Match": '"1"'}, client=community_user)
            expect("DELETE", path, "place:edit", in_scope, headers=version(complexes, complex_),
                   client=community_user)

    def check_matrix_dictionaries(self, expect, admin, code):
        """Dictionaries: read by everyone signed in (assistance with sensitive view), edited by
        system:dict:edit."""
        expect("GET", "/api/v1/dict", "", True)
        expect("GET", "/api/v1/dict/relation_to_head", "", True)
        expect("GET", "/api/v1/dict/assistance", "registry:sensitive:view", True)
        expect("POST", "/api/v1/dict/relation_to_head", "system:dict:edit", True,
               {"code": "亲" + code})
        _, _, scopes = admin.call("GET", "/api/v1/dict/scope")
        view = [i for i in scopes["items"] if i["code"] == "view"][0]
        expect("PATCH", "/api/v1/dict/scope/view", "system:dict:edit", True,
               {"label_en": "view " + code}, {"If-Match": '"%d"' % view["version"]})

    def check_permission_matrix(self, admin, grid_a, micro_a, micro_far, inside_b, outside):
        """Every built-in role × the endpoints × a record inside / outside the user's scope.

        Each role's user has capture scope on grid A. Expected outcome, from the role's permissions:
        no permission -> 403; permission, record outside the scope -> 404 (reads and edits) or 403
        (creating in a unit outside, managing a user outside); permission, inside -> 2xx.
        """
        _, _, roles = admin.call("GET", "/api/v1/system/roles")
        city_permissions = set([r for r in roles["items"] if r["code"] == "city_admin"][0]["permissions"])
        _, _, page = admin.call("GET", "/api/v1/residents?page_size=1&unit=" + grid_a["id"])
        inside = page["items"][0]
        _, _, buildings = admin.call("GET", "/api/v1/places/buildings?unit=" + micro_a["id"])
        building_in = buildings["items"][0]["id"]
        _, _, buildings = admin.call("GET", "/api/v1/places/buildings?unit=" + micro_far["id"])
        building_far = buildings["items"][0]["id"]
        _, _, far_unit = admin.call("GET", "/api/v1/org/units/" + micro_far["id"])
        _, _, far_grid = admin.call("GET", "/api/v1/org/units/" + far_unit["parent_id"])
        _, _, far_community = admin.call("GET", "/api/v1/org/units/" + far_grid["parent_id"])
        _, _, own_community = admin.call("GET", "/api/v1/org/units/" + grid_a["parent_id"])
        # Records of others, outside every matrix user's reach: staff, a user, an API token.
        status, _, far_staff = admin.call("POST", "/api/v1/org/units/%s/staff" % far_grid["id"], {
            "role": "grid_instructor", "name": "外网格指导员"})
        self.assertEqual(status, 201, far_staff)
        status, _, far_user = admin.call("POST", "/api/v1/system/users", {
            "login": "m_far_user", "password": PASSWORD, "roles": ["building_leader"],
            "units": {far_grid["id"]: "capture"}})
        self.assertEqual(status, 201, far_user)
        status, _, admin_token = admin.call("POST", "/api/v1/auth/tokens", {"name": "管理员的"})
        self.assertEqual(status, 201, admin_token)
        square = {"type": "Polygon", "coordinates": [[[119.1, 28.0], [119.2, 28.0], [119.2, 28.1],
                                                      [119.1, 28.1], [119.1, 28.0]]]}
        for index, role in enumerate(roles["items"]):
            perms = set(role["permissions"])
            code = role["code"]
            user = self.make_user(admin, "m_" + code, [code], {grid_a["id"]: "capture"})

            def expect(method, path, permission, in_scope, body=None, headers=None, ok=(200, 201),
                       out_status=404, client=None):
                status, answer_headers, answer = (client or user).call(method, path, body, headers)
                if permission and permission not in perms:
                    wanted = (403,)
                elif not in_scope:
                    wanted = (out_status,)
                else:
                    wanted = ok
                self.assertIn(status, wanted, (code, method, path, answer))
                return status, answer_headers, answer

            for record, in_scope in ((inside, True), (outside, False)):
                rid = record["id"]
                expect("GET", "/api/v1/residents/" + rid, "registry:resident:view", in_scope)
                _, headers, current = admin.call("GET", "/api/v1/residents/" + rid)
                expect("PATCH", "/api/v1/residents/" + rid, "registry:resident:edit", in_scope,
                       {"notes": "matrix " + role["code"]}, {"If-Match": headers["ETag"]})
                expect("POST", "/api/v1/residents/" + rid + "/unmask", "registry:pii:unmask",
                       in_scope, {"purpose": "核对"})
            for unit, in_scope in ((micro_a, True), (micro_far, False)):
                expect("POST", "/api/v1/residents", "registry:resident:create", in_scope,
                       {"name": "新居民", "gender": "female", "unit_id": unit["id"]},
                       out_status=403)
            # Lists: only inside the scope, never a record outside it.
            status, _, listing = user.call("GET", "/api/v1/residents?page_size=200")
            if "registry:resident:view" in perms:
                self.assertEqual(status, 200)
                listed = {item["id"] for item in listing["items"]}
                self.assertNotIn(outside["id"], listed)
                self.assertNotIn(inside_b["id"], listed)
            else:
                self.assertEqual(status, 403)
            # Places, staff, stats, dictionaries, exports: the same rule, endpoint by endpoint.
            for unit, in_scope in ((micro_a, True), (micro_far, False)):
                expect("GET", "/api/v1/places/buildings?unit=" + unit["id"], "place:view", in_scope)
                expect("GET", "/api/v1/stats/summary?unit=" + unit["id"], "stats:view", in_scope)
                expect("GET", "/api/v1/org/units/%s/staff" % unit["id"], "org:unit:view", in_scope)
            for building, in_scope in ((building_in, True), (building_far, False)):
                expect("POST", "/api/v1/places/households", "place:edit", in_scope,
                       {"building_id": building, "unit_no": "9", "room": role["code"]},
                       out_status=404)
            own_staff = "1"  # without the permission the gate refuses before looking
            for grid, in_scope in ((grid_a, True), (far_grid, False)):
                status, _, answer = expect(
                    "POST", "/api/v1/org/units/%s/staff" % grid["id"], "org:staff:edit", in_scope,
                    {"role": "grid_instructor", "name": "指导员" + role["code"]})
                if status == 201:
                    own_staff = answer["id"]
            expect("DELETE", "/api/v1/org/units/%s/staff/%s" % (grid_a["id"], own_staff),
                   "org:staff:edit", True)
            expect("DELETE", "/api/v1/org/units/%s/staff/%s" % (far_grid["id"], far_staff["id"]),
                   "org:staff:edit", False)
            self.check_matrix_units(expect, perms, code, grid_a, micro_a, far_grid, far_unit, square)
            self.check_matrix_users_and_roles(expect, admin, perms, code, micro_a, micro_far,
                                              far_user, city_permissions)
            self.check_matrix_tokens(expect, user, admin_token, inside, outside)
            self.check_matrix_import(expect, user, admin, perms, index, own_community, grid_a,
                                     far_community, far_grid)
            self.check_matrix_places(expect, admin, code, micro_a, micro_far, own_community,
                                     far_community)
            self.check_matrix_dictionaries(expect, admin, code)
            expect("POST", "/api/v1/dict/tags", "system:dict:edit", True,
                   {"code": "t_" + role["code"], "name": role["code"]})
            can_export = {"registry:export:run", "registry:sensitive:view"} <= perms
            for unit, in_scope in ((grid_a, True), (far_grid, False)):
                status, _, answer = user.call("POST", "/api/v1/exports",
                                              {"unit_id": unit["id"], "format": "csv"})
                wanted = 403 if not can_export else (202 if in_scope else 404)
                self.assertEqual(status, wanted, (role["code"], "export", answer))
            expect("GET", "/api/v1/org/units/" + grid_a["id"], "org:unit:view", True)
            expect("GET", "/api/v1/org/units/" + micro_far["id"], "org:unit:view", False)
            expect("GET", "/api/v1/system/users", "system:user:view", True)
            expect("GET", "/api/v1/audit", "audit:log:view", True)
            expect("GET", "/api/v1/exports/1", "registry:export:run", False)  # nobody's: 404
            # Deletion last: it removes the record from later checks.
            _, headers, _ = admin.call("GET", "/api/v1/residents/" + outside["id"])
            expect("DELETE", "/api/v1/residents/" + outside["id"], "registry:resident:delete", False,
                   {"reason": "迁出"}, {"If-Match": headers["ETag"]})


if __name__ == "__main__":
    unittest.main(verbosity=2)
