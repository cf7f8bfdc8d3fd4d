"""Black-box tests of `steward script list|validate|try|save`: the built-in scripts, the checker on
a broken file, a simulated call, a text call answered on stdin, and the script library (话术库)
seen by every script command."""
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import BINARY, Workdir  # noqa: E402

TEMPLATE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "src", "campaign", "templates")
TEMPLATES = {"contact_update", "health_checkin", "committee_election", "health_check_invite", "policy_notice",
             "residence_check"}


class ScriptCliTest(unittest.TestCase):
    def setUp(self):
        self.work = Workdir()

    def tearDown(self):
        self.work.close()

    def test_list_names_the_five_templates(self):
        items = self.work.run_json("script", "list")["items"]
        self.assertEqual({item["name"] for item in items}, TEMPLATES)
        titles = {item["name"]: item["title"] for item in items}
        self.assertEqual(titles["residence_check"], "人户状态核实")

    def test_every_template_validates_and_dry_runs_every_persona(self):
        for name in TEMPLATES:
            with self.subTest(script=name):
                out = self.work.run_json("script", "validate", name)
                self.assertTrue(out["valid"])
                self.assertEqual(out["findings"], [])
                outcomes = {run["persona"]: run["outcome"] for run in out["dry_run"]}
                self.assertEqual(outcomes["quick"], "answered_completed")
                self.assertEqual(outcomes["busy"], "busy")
                self.assertEqual(outcomes["opts_out"], "opted_out")
                self.assertEqual(outcomes["hangs_up_in_opening"], "hung_up_during_opening")

    def test_a_broken_file_is_refused_with_each_problem(self):
        script = {"name": "broken", "title": "坏话术", "start": "opening", "nodes": [
            {"id": "opening", "type": "say", "text": "您好", "next": "q"},
            {"id": "q", "type": "ask", "slot": "s", "text": "按1或2", "keys": {"1": "a", "2": "b"},
             "next": "b"},
            {"id": "b", "type": "branch", "slot": "s", "cases": {"a": "end"}},
            {"id": "end", "type": "hangup", "text": "再见{{nickname}}"},
            {"id": "lost", "type": "hangup", "text": "再见"}]}
        path = os.path.join(self.work.path, "broken.json")
        with open(path, "w", encoding="utf-8") as out:
            json.dump(script, out, ensure_ascii=False)
        result = self.work.run("script", "validate", path, "--json", check=False)
        self.assertEqual(result.returncode, 1)
        out = json.loads(result.stdout)
        self.assertFalse(out["valid"])
        codes = {(f["node"], f["code"]) for f in out["findings"]}
        self.assertEqual(codes, {("opening", "opening"), ("b", "missing_branch"),
                                 ("end", "undefined_variable"), ("lost", "unreachable")})
        self.assertEqual(out["dry_run"], [])
        # Text output names the node and says it in Chinese.
        text = self.work.run("script", "validate", path, check=False)
        self.assertIn("[b]", text.stdout)
        self.assertIn("有错误", text.stdout)
        # A file that is not JSON, and a name that is neither a template nor a file.
        with open(path, "w") as out:
            out.write("{not json")
        self.assertEqual(self.work.run("script", "validate", path, check=False).returncode, 1)
        missing = self.work.run("script", "validate", "no_such", check=False)
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no_such", missing.stderr)

    def test_try_against_a_persona(self):
        out = self.work.run_json("script", "try", "residence_check", "--persona", "quick",
                                 "--as", "王建国,男,45")
        self.assertEqual(out["outcome"], "answered_completed")
        self.assertEqual(out["slots"], {"residence": "here", "lives_alone": "yes"})
        self.assertTrue(out["transcript"][0]["text"].startswith("王先生您好"))
        self.assertEqual(out["updates"][0]["field"], "tag:lives_alone")
        wrong = self.work.run("script", "try", "residence_check", "--persona", "nobody",
                              check=False)
        self.assertEqual(wrong.returncode, 1)

    def test_a_text_call_answered_on_stdin(self):
        # Fever by key, a silence, a spoken "有点咳嗽", then "不用了" to the transfer offer.
        result = subprocess.run(
            [BINARY, "script", "try", "health_checkin", "--as", "李秀英,女,70", "--json"],
            input="2\n\n有点咳嗽\n不用了\n", capture_output=True, text=True, timeout=60,
            cwd=self.work.path)
        self.assertEqual(result.returncode, 0, result.stderr)
        out = json.loads(result.stdout)
        self.assertEqual(out["outcome"], "answered_completed")
        self.assertEqual(out["slots"], {"temperature": "fever", "symptoms": "some",
                                        "wants_grid_worker": "no"})
        answers = {a["slot"]: a for a in out["answers"]}
        self.assertEqual(answers["temperature"]["via"], "keypad")
        self.assertEqual(answers["symptoms"]["via"], "speech")
        self.assertEqual(answers["symptoms"]["tries"], 2)
        self.assertEqual(len(out["follow_ups"]), 2)
        # The conversation went to stderr, addressed as an elder.
        self.assertIn("李阿姨您好", result.stderr)
        self.assertIn("抱歉，没有收到您的按键", result.stderr)
        # Opting out at the first question.
        result = subprocess.run([BINARY, "script", "try", "policy_notice", "--json",
                                 "--var", "notice=本周六停水"], input="*\n",
                                capture_output=True, text=True, timeout=60, cwd=self.work.path)
        out = json.loads(result.stdout)
        self.assertEqual(out["outcome"], "opted_out")
        self.assertIn("本周六停水", result.stderr)

    def test_saved_scripts_are_listed_validated_and_tried_by_name(self):
        with open(os.path.join(TEMPLATE_DIR, "policy_notice.json"), encoding="utf-8") as f:
            script = json.load(f)
        script["name"] = "water_notice"
        script["title"] = "停水通知（社区版）"
        path = os.path.join(self.work.path, "water.json")

        def save(changes):
            with open(path, "w", encoding="utf-8") as out:
                json.dump(dict(script, **changes), out, ensure_ascii=False)
            return self.work.run("script", "save", path, "--json", check=False)

        first = save({})
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(json.loads(first.stdout)["version"], 1)
        second = save({"description": "第二版"})
        self.assertEqual(json.loads(second.stdout)["version"], 2)
        # A built-in template's name and a script with errors are refused (exit 2), nothing kept.
        self.assertEqual(save({"name": "policy_notice"}).returncode, 2)
        broken = save({"start": "nowhere"})
        self.assertEqual(broken.returncode, 2)
        self.assertIn("nowhere", broken.stdout + broken.stderr)
        listed = {item["name"]: item for item in self.work.run_json("script", "list")["items"]}
        self.assertEqual(set(listed), TEMPLATES | {"water_notice"})
        self.assertEqual(listed["water_notice"]["version"], 2)
        self.assertFalse(listed["water_notice"]["built_in"])
        self.assertEqual(listed["water_notice"]["description"], "第二版")
        self.assertEqual(listed["policy_notice"]["version"], 0)
        text = self.work.run("script", "list").stdout
        self.assertIn("v2", text)
        self.assertIn("停水通知（社区版）", text)
        # validate and try find it by name, in the same database.
        os.remove(path)
        checked = self.work.run_json("script", "validate", "water_notice")
        self.assertTrue(checked["valid"])
        tried = self.work.run_json("script", "try", "water_notice", "--persona", "quick",
                                   "--var", "notice=本周六停水")
        self.assertEqual(tried["outcome"], "answered_completed")
        self.assertIn("本周六停水", " ".join(line["text"] for line in tried["transcript"]))


if __name__ == "__main__":
    unittest.main()
