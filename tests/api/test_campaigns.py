"""Black-box tests of `steward campaign …` on both engines: a campaign run to its end on the
simulator, its status, ledger and controls, and kill -9 in the middle of one, then resume."""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import BINARY, Workdir, engines, fresh_db  # noqa: E402

POLICY = json.dumps({"max_concurrent": 40, "max_calls_per_second": 8, "max_attempts": 3})


class CampaignCliTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()

    def tearDown(self):
        self.work.close()

    def demo(self, engine):
        db = fresh_db(engine, self.work.path)
        self.work.run("--db", db, "demo", "--residents", "1500", "--seed", "4")
        return db

    def test_run_to_the_end_then_status_ledger_and_controls(self):
        for engine in engines():
            with self.subTest(engine=engine):
                db = self.demo(engine)
                target = int(self.work.run("--db", db, "segment", "count",
                                           "age >= 60").stdout.split()[-1])
                out = self.work.run("--db", db, "campaign", "run", "--script", "committee_election",
                                    "--segment", "age >= 60", "--var", "date=12月20日",
                                    "--var", "time=上午九点", "--var", "place=社区礼堂",
                                    "--policy", POLICY, "--wait", "--json")
                lines = out.stdout.strip().splitlines()
                campaign_id = lines[0]
                self.assertRegex(campaign_id, r"^\d+$")
                summary = json.loads(lines[-1])
                self.assertEqual(summary["campaign"]["state"], "completed")
                funnel = summary["funnel"]
                self.assertEqual(funnel["targeted"], target)
                self.assertEqual(funnel["done"], target)
                self.assertEqual(sum(funnel["outcomes"].values()), target)
                self.assertGreater(funnel["completed"], target // 3)
                self.assertGreater(sum(funnel["answers"]["attend"].values()), 0)
                self.assertEqual(sum(u["targeted"] for u in funnel["by_community"]), target)
                status = self.work.run_json("--db", db, "campaign", "status", campaign_id)
                self.assertEqual(status["funnel"], funnel)
                ledger = os.path.join(self.work.path, "台账.xlsx")
                written = self.work.run_json("--db", db, "campaign", "ledger", campaign_id,
                                             "--out", ledger)
                self.assertEqual(written["rows"], target)
                self.assertGreater(os.path.getsize(ledger), 1000)
                # A finished campaign cannot be paused; a bad id is a clear error.
                paused = self.work.run("--db", db, "campaign", "pause", campaign_id, check=False)
                self.assertNotEqual(paused.returncode, 0)
                self.assertIn("completed", paused.stderr)
                missing = self.work.run("--db", db, "campaign", "status", "12345", check=False)
                self.assertNotEqual(missing.returncode, 0)
                # A script field left out is refused before anything is written.
                refused = self.work.run("--db", db, "campaign", "run", "--script",
                                        "committee_election", "--segment", "age >= 60",
                                        "--json", check=False)
                self.assertEqual(refused.returncode, 2)
                self.assertIn("fields", refused.stderr + refused.stdout)
                listed = self.work.run_json("--db", db, "campaign", "list")["items"]
                self.assertEqual([c["id"] for c in listed], [campaign_id])
                # Started without --wait, then cancelled: everything left ends as cancelled.
                started = self.work.run("--db", db, "campaign", "run", "--script", "policy_notice",
                                        "--segment", "age >= 80", "--var", "notice=本周六停水")
                second = started.stdout.splitlines()[0]
                cancelled = self.work.run_json("--db", db, "campaign", "cancel", second)
                self.assertEqual(cancelled["state"], "cancelled")
                status = self.work.run_json("--db", db, "campaign", "status", second)
                self.assertEqual(status["funnel"]["done"], status["funnel"]["targeted"])
                self.assertEqual(status["funnel"]["attempts"], 0)

    def test_review_changes_and_close_tasks(self):
        db = self.demo("sqlite")
        out = self.work.run("--db", db, "campaign", "run", "--script", "residence_check",
                            "--segment", "age >= 40", "--policy", POLICY, "--wait", "--seed", "9")
        campaign_id = out.stdout.splitlines()[0]
        changes = self.work.run_json("--db", db, "change", "list", "--campaign", campaign_id,
                                     "--state", "pending")["items"]
        self.assertGreater(len(changes), 0)
        moved = next(c for c in changes if c["field"] == "residence_status")
        self.assertEqual(moved["source"], "call")
        accepted = self.work.run_json("--db", db, "change", "accept", moved["id"])
        self.assertEqual(accepted["state"], "accepted")
        twice = self.work.run("--db", db, "change", "accept", moved["id"], check=False)
        self.assertNotEqual(twice.returncode, 0)
        path = db[len("sqlite:"):]
        with sqlite3.connect(path) as connection:
            status = connection.execute("SELECT residence_status FROM resident WHERE id = ?",
                                        (int(moved["resident_id"]),)).fetchone()[0]
            source = connection.execute(
                "SELECT source FROM change_log WHERE entity = 'resident' AND entity_id = ? "
                "ORDER BY seq DESC LIMIT 1", (int(moved["resident_id"]),)).fetchone()[0]
        self.assertEqual(status, "registered_only")
        self.assertEqual(source, "call")
        others = [c for c in changes if c["id"] != moved["id"]]
        if others:
            rejected = self.work.run_json("--db", db, "change", "reject", others[0]["id"])
            self.assertEqual(rejected["state"], "rejected")
        tasks = self.work.run_json("--db", db, "task", "list", "--state", "open")["items"]
        self.assertGreater(len(tasks), 0)
        self.assertTrue(all(t["kind"] in ("unreachable", "refused", "answer") for t in tasks))
        closed = self.work.run_json("--db", db, "task", "close", tasks[0]["id"])
        self.assertEqual(closed["state"], "done")
        text = self.work.run("--db", db, "task", "list").stdout
        self.assertIn("请", text)

    def test_kill_minus_nine_mid_campaign_then_resume(self):
        db = self.demo("sqlite")
        rng = random.Random(5)
        args = [BINARY, "--db", db, "campaign", "run", "--script", "health_checkin",
                "--segment", "age >= 50", "--policy", POLICY, "--wait"]
        process = subprocess.Popen(args, cwd=self.work.path, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        campaign_id = process.stdout.readline().strip()
        self.assertRegex(campaign_id, r"^\d+$")
        path = db[len("sqlite:"):]
        kills = 0
        for _ in range(3):
            time.sleep(rng.uniform(0.3, 1.2))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait()
            with sqlite3.connect(path) as connection:
                answers = connection.execute("SELECT count(*) FROM call_answer").fetchone()[0]
            process = subprocess.Popen([BINARY, "--db", db, "campaign", "resume", campaign_id,
                                        "--wait"], cwd=self.work.path, stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)
            time.sleep(0.2)
            with sqlite3.connect(path) as connection:
                after = connection.execute("SELECT count(*) FROM call_answer").fetchone()[0]
            self.assertGreaterEqual(after, answers)  # nothing committed was lost
        self.assertGreater(kills, 0)
        out, _ = process.communicate(timeout=600)
        self.assertEqual(process.returncode, 0)
        status = self.work.run_json("--db", db, "campaign", "status", campaign_id)
        self.assertEqual(status["campaign"]["state"], "completed")
        self.assertEqual(status["funnel"]["done"], status["funnel"]["targeted"])
        with sqlite3.connect(path) as connection:
            self.assertEqual(connection.execute(
                "SELECT count(*) FROM call_attempt WHERE outcome IS NULL").fetchone()[0], 0)
            over = connection.execute(
                "SELECT count(*) FROM (SELECT resident_id FROM call_attempt GROUP BY resident_id "
                "HAVING count(*) > 3)").fetchone()[0]
            self.assertEqual(over, 0)
            mismatched = connection.execute(
                "SELECT count(*) FROM campaign_target t WHERE t.attempts <> (SELECT count(*) FROM "
                "call_attempt a WHERE a.campaign_id = t.campaign_id AND a.resident_id = "
                "t.resident_id)").fetchone()[0]
            self.assertEqual(mismatched, 0)
            # No phone number in any log-like column: only sealed values and masks are stored.
            for (text,) in connection.execute("SELECT transcript_sealed FROM call_attempt "
                                              "WHERE transcript_sealed IS NOT NULL LIMIT 50"):
                self.assertNotIn("AI社工", text)


if __name__ == "__main__":
    unittest.main()
