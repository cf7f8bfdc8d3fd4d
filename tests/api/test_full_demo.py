"""The full demo city, once per engine: the figures the 2023 document reports."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from steward_cli import Workdir, engines, fresh_db  # noqa: E402


class FullDemoTest(unittest.TestCase):
    def test_longquan_as_the_document_reports(self):
        for engine in engines():
            with self.subTest(engine=engine):
                work = Workdir()
                try:
                    db = fresh_db(engine, work.path)
                    work.run("--db", db, "demo", timeout=1800)
                    stats = work.run_json("--db", db, "stats")
                    self.assertEqual(stats["streets"], 3)
                    self.assertEqual(stats["communities"], 28)
                    self.assertEqual(stats["grids"], 239)
                    self.assertEqual(stats["micro_grids"], 1388)
                    self.assertEqual(stats["complexes"], 46)
                    self.assertEqual(stats["residents"], 70000)
                    self.assertEqual(stats["assistance"], {"households": 882, "members": 1511})
                    by_status = stats["residents_by_status"]
                    self.assertGreater(by_status["resident_only"], 3000)
                    self.assertGreater(by_status["registered_only"], 3000)
                finally:
                    work.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
