#!/usr/bin/env python3
"""import_bench: `steward import residents` and `steward export residents` on the demo database,
beside the engines' own bulk tools doing the same file in the same run (STYLE.md 13).

  bench/import_bench.py [--rows N] [--steward PATH] [--postgres URL] [--workdir DIR]
                        [--demo-residents N] [--xlsx-strings inline|shared] [--seed S] [--keep]

Set-up (not timed): a demo database (`steward demo --residents 70000`) on SQLite, and with
--postgres URL (or $STEWARD_BENCH_POSTGRES_URL, an admin connection such as database `postgres`)
on a fresh PostgreSQL database too; then one file of N valid residents who are not in the demo
(new ID numbers, region 331102, sequence numbers 500 and up; places taken from the demo database),
written as big.csv and, from the same rows, big.xlsx.

Measurements, each a separate process: wall time (time.monotonic around the child) and the
child's own peak RSS (os.wait4 -> ru_maxrss):
  steward import csv     `steward import residents big.csv --json` into a fresh copy of the demo
                         database; must report created == N, refused == 0, conflicts == 0
  steward validate only  the same with --dry-run (pass 1 alone; SQLite), for the pass 1 / pass 2
                         split
  steward import xlsx    the same rows as big.xlsx, into another fresh copy of the demo database
  steward export xlsx    `steward export residents --out F.xlsx` of the database the csv import
  steward export csv     filled (the demo's residents plus the N imported), masked as by default
  sqlite3 .import csv    the sqlite3 CLI: `.import --csv --skip 1 big.csv plain` into a fresh file,
                         a plain table of 14 TEXT columns (no keys, no indexes), then
  sqlite3 csv export     `.mode csv` / `SELECT * FROM plain` of that table to a file
  psql \\copy from csv    `\\copy plain FROM big.csv (FORMAT csv, HEADER true)` into the same
  psql \\copy to csv      plain table on a fresh PostgreSQL database, and `\\copy plain TO` out
On PostgreSQL the steward imports go into fresh copies of the demo database (CREATE DATABASE ...
TEMPLATE demo) and the exports read the csv import's copy.
Goals (the issue): steward's imports and exports at >= 0.3x the rows/s of the engine's bulk tool
(imports: sqlite3 .import, and PostgreSQL COPY; exports: sqlite3's csv export / COPY TO), with a
peak RSS <= 500 MB. A miss is printed as MISS; the script fails only when a measurement itself
fails (or steward refuses a row).

The table goes to stdout; progress lines to stderr. Python stdlib only.
"""

import argparse
import csv
import datetime
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import zipfile
from dataclasses import dataclass, field

HEADER = ["姓名", "性别", "身份证号", "出生日期", "联系电话", "户籍地址", "所属社区", "所属网格",
          "楼栋", "单元", "室", "与户主关系", "人户状态", "标签"]
GOAL_RATIO = 0.3
GOAL_PEAK_MB = 500.0
XLSX_MAX_DATA_ROWS = 1_048_575  # Excel's grid, less the header row

# ID numbers: a region the demo never uses (the demo issues 331181 with sequence numbers counting
# up from 000/001 per birth date and gender), and sequence numbers from 500 up on top of that.
REGION = "331102"  # 浙江省丽水市莲都区
FIRST_SEQUENCE = 500
PHONE_PREFIX = "1999"  # the demo's phone range (demo.hpp kDemoPhonePrefix)
PHONE_OFFSET = 5_000_000  # the demo counts up from 0000001; keep clear of it for small demos

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷")
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国志文"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英华慧巧美娅琴云莲真环雪荣爱妹香月莺媛瑞凡佳嘉琼"
STREETS = ("中山路", "解放街", "人民路", "建设路", "环城路", "大众街", "丽阳街", "紫金路",
           "括苍路", "少微路", "白云路", "花园路")


def log(message):
    print(f"import_bench: {message}", file=sys.stderr, flush=True)


def grouped(value):
    return f"{value:,}"


def die(message):
    log(f"error: {message}")
    sys.exit(1)


# --- places -----------------------------------------------------------------------------------

@dataclass
class Place:
    community: str
    grid: str
    building: str


def load_places(db_path):
    """Buildings of the demo by community and grid (through their micro-grid), current units
    only, keeping buildings whose name is unique in their community (so 楼栋 alone resolves)."""
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            """
            SELECT c.name, g.name, b.name
              FROM building b
              JOIN org_unit m ON m.id = b.unit_id AND m.kind = 'micro_grid' AND m.valid_to IS NULL
              JOIN org_unit g ON g.id = m.parent_id AND g.kind = 'grid' AND g.valid_to IS NULL
              JOIN org_unit c ON c.id = g.parent_id AND c.kind = 'community' AND c.valid_to IS NULL
             WHERE (SELECT count(*) FROM org_unit o
                     WHERE o.kind = 'community' AND o.valid_to IS NULL AND o.name = c.name) = 1
               AND (SELECT count(*) FROM building b2
                      JOIN org_unit m2 ON m2.id = b2.unit_id
                      JOIN org_unit g2 ON g2.id = m2.parent_id
                     WHERE g2.parent_id = c.id AND b2.name = b.name) = 1
             ORDER BY c.name, g.name, b.name
            """).fetchall()
    finally:
        connection.close()
    if not rows:
        die(f"no buildings found in {db_path}: is it a demo database?")
    return [Place(*row) for row in rows]


# --- the residents ----------------------------------------------------------------------------

class People:
    """N valid residents in households, deterministic for a seed; rows are lists of 14 strings
    in HEADER order."""

    def __init__(self, places, seed, today):
        self.random = random.Random(seed)
        self.places = places
        self.today = today
        self.sequences = {}  # (birth date, male) -> next sequence number
        self.household = 0
        self.phone = 0

    def birth_date(self, age):
        latest = datetime.date(self.today.year - age, 1, 1) - datetime.timedelta(days=1)
        return latest - datetime.timedelta(days=self.random.randrange(365))

    def id_number(self, birth, male):
        while True:
            key = (birth, male)
            turn = self.sequences.get(key, 0)
            sequence = FIRST_SEQUENCE + 2 * turn + (1 if male else 0)
            if sequence <= 999:
                self.sequences[key] = turn + 1
                break
            birth -= datetime.timedelta(days=1)  # full for this day: the day before
        first17 = f"{REGION}{birth:%Y%m%d}{sequence:03d}"
        weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
        check = "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]
        return first17 + check, birth

    def name(self, male, surname=None):
        chars = MALE_CHARS if male else FEMALE_CHARS
        given = self.random.choice(chars)
        if self.random.random() < 0.7:
            given += self.random.choice(chars)
        return (surname or self.random.choice(SURNAMES)) + given

    def person(self, place, unit, room, relation, male, age, surname, size):
        number, birth = self.id_number(self.birth_date(age), male)
        self.phone += 1
        phone = f"{PHONE_PREFIX}{(PHONE_OFFSET + self.phone) % 10_000_000:07d}"
        if self.random.random() < 0.1:  # some have no phone
            phone = ""
        tags = []
        if age >= 18 and self.random.random() < 0.08:
            tags.append("党员")
        if size == 1 and age >= 60 and self.random.random() < 0.5:
            tags.append("独居")
        hukou = (f"浙江省丽水市莲都区{self.random.choice(STREETS)}"
                 f"{self.random.randrange(1, 999)}号")
        return [self.name(male, surname), "男" if male else "女", number, birth.isoformat(),
                phone, hukou, place.community, place.grid, place.building, str(unit), str(room),
                relation, "户在人在", "、".join(tags)]

    def rows(self, count):
        made = 0
        while made < count:
            h = self.household
            self.household += 1
            place = self.places[h % len(self.places)]
            slot = h // len(self.places)  # households per building: unit 1-3, floor 5 up, room 1-4
            unit, rest = slot % 3 + 1, slot // 3
            room = (5 + rest // 4) * 100 + rest % 4 + 1
            size = min(count - made, self.random.choices((1, 2, 3, 4, 5),
                                                         (25, 30, 25, 15, 5))[0])
            head_male = self.random.random() < 0.6
            head_age = self.random.randrange(25, 90)
            surname = self.random.choice(SURNAMES)
            members = [("户主", head_male, head_age)]
            if size >= 2:
                members.append(("配偶", not head_male,
                                max(20, head_age + self.random.randrange(-5, 6))))
            for _ in range(size - len(members)):
                child_male = self.random.random() < 0.5
                child_age = max(0, head_age - self.random.randrange(20, 36))
                members.append(("子" if child_male else "女", child_male, child_age))
            for relation, male, age in members:
                own_surname = surname if relation != "配偶" else None
                yield self.person(place, unit, room, relation, male, age, own_surname, size)
                made += 1


def xml_text(text):
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


COLUMN_LETTERS = [chr(ord("A") + i) for i in range(len(HEADER))]

XLSX_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
{shared_override}</Types>
"""
XLSX_SHARED_OVERRIDE = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>\n')
XLSX_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>
"""
XLSX_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="居民信息" sheetId="1" r:id="rId1"/></sheets>
</workbook>
"""
XLSX_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
{shared_rel}</Relationships>
"""
XLSX_SHARED_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>\n')
XLSX_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                   '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   '<sheetData>')
XLSX_SHEET_TAIL = "</sheetData></worksheet>"


class XlsxWriter:
    """A one-sheet .xlsx written as it goes: the sheet XML streams into the zip entry; cells are
    inline strings, or (shared) indexes into a shared-strings table written at the end, as Excel
    and WPS save it."""

    def __init__(self, path, shared):
        self.shared = shared
        self.strings = {}
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED)
        self.sheet = self.zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.buffer = [XLSX_SHEET_HEAD]
        self.row_number = 0

    def cell(self, ref, text):
        if self.shared:
            index = self.strings.setdefault(text, len(self.strings))
            return f'<c r="{ref}" t="s"><v>{index}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{xml_text(text)}</t></is></c>'

    def row(self, values):
        self.row_number += 1
        r = self.row_number
        cells = "".join(self.cell(f"{letter}{r}", value)
                        for letter, value in zip(COLUMN_LETTERS, values) if value)
        self.buffer.append(f'<row r="{r}">{cells}</row>')
        if len(self.buffer) >= 2000:
            self.flush()

    def flush(self):
        self.sheet.write("".join(self.buffer).encode())
        self.buffer.clear()

    def close(self):
        self.buffer.append(XLSX_SHEET_TAIL)
        self.flush()
        self.sheet.close()
        shared = self.shared
        self.zip.writestr("[Content_Types].xml", XLSX_CONTENT_TYPES.format(
            shared_override=XLSX_SHARED_OVERRIDE if shared else ""))
        self.zip.writestr("_rels/.rels", XLSX_ROOT_RELS)
        self.zip.writestr("xl/workbook.xml", XLSX_WORKBOOK)
        self.zip.writestr("xl/_rels/workbook.xml.rels", XLSX_WORKBOOK_RELS.format(
            shared_rel=XLSX_SHARED_REL if shared else ""))
        if shared:
            with self.zip.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                count = len(self.strings)
                out.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                           '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                           f'count="{count}" uniqueCount="{count}">').encode())
                chunk = []
                for text in self.strings:  # insertion order = index order
                    chunk.append(f"<si><t>{xml_text(text)}</t></si>")
                    if len(chunk) >= 10000:
                        out.write("".join(chunk).encode())
                        chunk.clear()
                chunk.append("</sst>")
                out.write("".join(chunk).encode())
            self.strings.clear()
        self.zip.close()


def write_files(demo_db, csv_path, xlsx_path, rows, seed, strings):
    """The --generate child: big.csv and (unless xlsx_path is empty) big.xlsx."""
    places = load_places(demo_db)
    shared_strings = strings == "shared"
    people = People(places, int(seed), datetime.date.today())
    rows = int(rows)
    xlsx = XlsxWriter(xlsx_path, shared_strings) if xlsx_path else None
    with open(csv_path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(HEADER)
        if xlsx:
            xlsx.row(HEADER)
        for row in people.rows(rows):
            writer.writerow(row)
            if xlsx:
                xlsx.row(row)
    if xlsx:
        xlsx.close()
    print(f"{len(places):,} buildings to place them in")


# --- running and measuring ----------------------------------------------------------------------

@dataclass
class Measurement:
    engine: str
    what: str
    rows: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    cpu_seconds: float = 0.0
    baseline: "Measurement | None" = None
    notes: list = field(default_factory=list)

    @property
    def rate(self):
        return self.rows / self.seconds if self.seconds > 0 else 0.0


class Runner:
    def __init__(self, workdir):
        self.logs = os.path.join(workdir, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.count = 0

    def run(self, name, argv, stdin_text=None, env=None):
        """Runs argv as one child; returns (exit code, stdout, stderr, seconds, peak MB, CPU s).
        Output goes through files, so a chatty child never blocks on a pipe."""
        self.count += 1
        base = os.path.join(self.logs, f"{self.count:02d}-{name}")
        stdin = None
        if stdin_text is not None:
            with open(base + ".in", "w", encoding="utf-8") as f:
                f.write(stdin_text)
            stdin = open(base + ".in", "rb")
        with open(base + ".out", "wb") as out, open(base + ".err", "wb") as err:
            start = time.monotonic()
            child = subprocess.Popen(argv, stdin=stdin or subprocess.DEVNULL, stdout=out,
                                     stderr=err, env=env)
            _, status, usage = os.wait4(child.pid, 0)
            seconds = time.monotonic() - start
            child.returncode = os.waitstatus_to_exitcode(status)
        if stdin:
            stdin.close()
        with open(base + ".out", encoding="utf-8", errors="replace") as f:
            stdout = f.read()
        with open(base + ".err", encoding="utf-8", errors="replace") as f:
            stderr = f.read()
        return (child.returncode, stdout, stderr, seconds, usage.ru_maxrss / 1024.0,
                usage.ru_utime + usage.ru_stime)

    def must(self, name, argv, **kwargs):
        code, stdout, stderr, seconds, peak, cpu = self.run(name, argv, **kwargs)
        if code != 0:
            die(f"{name} failed (exit {code}): {' '.join(argv)}\n{stderr[-4000:]}{stdout[-2000:]}")
        return stdout, seconds, peak, cpu


def copy_sqlite(source, target):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(target + suffix):
            os.remove(target + suffix)
    for suffix in ("", "-wal"):
        if os.path.exists(source + suffix):
            shutil.copyfile(source + suffix, target + suffix)


def remove_sqlite(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def database_url(admin_url, name):
    """The admin URL with its database replaced (URI form, or keyword=value form)."""
    if admin_url.startswith(("postgresql://", "postgres://")):
        parts = urllib.parse.urlsplit(admin_url)
        return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(name)))
    return f"{admin_url} dbname={name}"


class Postgres:
    def __init__(self, runner, admin_url):
        self.runner = runner
        self.admin_url = admin_url
        self.created = []

    def psql(self, name, url, sql):
        stdout, *_ = self.runner.must(name, ["psql", "-X", "-q", "-A", "-t", "-v",
                                             "ON_ERROR_STOP=1", url, "-c", sql])
        return stdout.strip()

    def create(self, name, template=None):
        self.drop(name)
        if template:
            sql = f'CREATE DATABASE "{name}" TEMPLATE "{template}"'
        else:
            sql = (f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                   "LC_COLLATE 'C' LC_CTYPE 'C'")
        self.psql("createdb", self.admin_url, sql)
        self.created.append(name)
        return database_url(self.admin_url, name)

    def drop(self, name):
        self.psql("dropdb", self.admin_url, f'DROP DATABASE IF EXISTS "{name}"')
        if name in self.created:
            self.created.remove(name)

    def drop_all(self):
        for name in list(self.created):
            try:
                self.drop(name)
            except SystemExit:
                log(f"could not drop database {name}")


def check_import(stdout, rows, label):
    try:
        result = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        die(f"{label}: no JSON from steward import:\n{stdout[-2000:]}")
    created = result.get("applied", {}).get("created")
    refused = result.get("outcomes", {}).get("refused")
    conflicts = result.get("outcomes", {}).get("conflict")
    if created != rows or refused != 0 or conflicts != 0:
        problems = "\n".join(f"  row {p.get('row')} {p.get('column')}: {p.get('message')} "
                             f"[{p.get('code')}]" for p in result.get("problems", [])[:20])
        die(f"{label}: created {created} of {rows}, refused {refused}, conflicts {conflicts}, "
            f"{result.get('problem_count')} problems; the first:\n{problems}")
    return result


def steward_import(runner, steward, db, key, path, rows, engine, what):
    code, stdout, stderr, seconds, peak, cpu = runner.run(
        f"{engine}-{what.replace(' ', '-')}",
        [steward, "--db", db, "--key-file", key, "import", "residents", path, "--json"])
    if code not in (0, 1):
        die(f"{engine} {what} failed (exit {code}):\n{stderr[-4000:]}{stdout[-2000:]}")
    result = check_import(stdout, rows, f"{engine} {what}")
    m = Measurement(engine, what, rows, seconds, peak, cpu)
    m.notes.append(f"steward's own timer {result.get('seconds', 0):.1f} s; child CPU {cpu:.1f} s")
    return m


def steward_export(runner, steward, db, key, out, engine, what):
    stdout, seconds, peak, cpu = runner.must(
        f"{engine}-{what.replace(' ', '-')}",
        [steward, "--db", db, "--key-file", key, "export", "residents", "--out", out, "--json"])
    report = json.loads(stdout.strip().splitlines()[-1])
    m = Measurement(engine, what, int(report["rows"]), seconds, peak, cpu)
    m.notes.append(f"{report.get('sheets')} sheet(s), {os.path.getsize(out) / 1e6:,.0f} MB file; "
                   f"child CPU {cpu:.1f} s")
    return m


def quoted_columns():
    return ", ".join(f'"{name}" TEXT' for name in HEADER)


# --- output ---------------------------------------------------------------------------------

def peak_text(m, floor_mb):
    """A peak at the harness's own floor reads as "<=floor": the child's real peak was lower."""
    return f"≤{floor_mb:.0f}" if m.peak_mb <= floor_mb + 0.5 else f"{m.peak_mb:.0f}"


def print_table(measurements, floor_mb):
    print()
    print(f"{'engine':<9} {'what':<22} {'rows':>10} {'seconds':>9} {'rows/s':>10} "
          f"{'peak RSS MB':>12}  ratio (rows/s ÷ baseline rows/s)")
    for m in measurements:
        ratio = ""
        if m.baseline is not None and m.baseline.rate > 0:
            ratio = f"{m.rate / m.baseline.rate:.3f}× {m.baseline.what}"
        elif not m.what.startswith("steward"):
            ratio = "(baseline)"
        print(f"{m.engine:<9} {m.what:<22} {grouped(m.rows):>10} {m.seconds:>9.1f} "
              f"{grouped(round(m.rate)):>10} {peak_text(m, floor_mb):>12}  {ratio}".rstrip())


def print_goals(goals, floor_mb):
    print()
    print(f"goals: rows/s >= {GOAL_RATIO}× the baseline's, peak RSS <= {GOAL_PEAK_MB:.0f} MB "
          "(the steward process; PostgreSQL's server is not counted)")
    for label, m in goals:
        ratio = m.rate / m.baseline.rate
        speed = "met " if ratio >= GOAL_RATIO else "MISS"
        memory = "met " if m.peak_mb <= GOAL_PEAK_MB else "MISS"
        print(f"  {label:<50} {ratio:6.3f}×  {speed}   peak {peak_text(m, floor_mb):>5} MB  "
              f"{memory}".rstrip())


# --- main -----------------------------------------------------------------------------------

def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="residents in the file")
    parser.add_argument("--steward", default="build/release/src/app/steward")
    parser.add_argument("--postgres", default=os.environ.get("STEWARD_BENCH_POSTGRES_URL", ""),
                        help="admin URL (e.g. to database postgres); also "
                             "$STEWARD_BENCH_POSTGRES_URL")
    parser.add_argument("--workdir", help="where the files go (default: a new temp folder, "
                                          "removed at the end)")
    parser.add_argument("--demo-residents", type=int, default=70000)
    parser.add_argument("--xlsx-strings", choices=("inline", "shared"), default="inline",
                        help="cells of the generated .xlsx: inline strings, or a shared-strings "
                             "table as Excel and WPS save")
    parser.add_argument("--seed", type=int, default=11643)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--generate", nargs=6, help=argparse.SUPPRESS)  # the writer child
    return parser.parse_args()


def main():
    args = parse_args()
    if args.generate:
        write_files(*args.generate)
        return
    steward = os.path.abspath(args.steward)
    if not os.access(steward, os.X_OK):
        die(f"no steward binary at {steward}: build it (cmake --build --preset release "
            "--target steward)")
    for tool in ["sqlite3"] + (["psql"] if args.postgres else []):
        if not shutil.which(tool):
            die(f"{tool} is not installed")
    if args.rows < 1:
        die("--rows must be at least 1")
    own_workdir = args.workdir is None
    workdir = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix="steward-import-bench."))
    os.makedirs(workdir, exist_ok=True)
    runner = Runner(workdir)
    postgres = Postgres(runner, args.postgres) if args.postgres else None
    try:
        run(args, steward, workdir, runner, postgres)
    finally:
        if postgres:
            postgres.drop_all()
        if own_workdir and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif not own_workdir:
            log(f"files left in {workdir}")


def run(args, steward, workdir, runner, postgres):
    path = lambda name: os.path.join(workdir, name)  # noqa: E731
    key = path("pii.key")
    rows = args.rows
    with_xlsx = rows <= XLSX_MAX_DATA_ROWS
    pid = os.getpid()

    # Header: what ran where.
    version = runner.must("version", [steward, "version"])[0].strip()
    sqlite_version = runner.must("sqlite3-version", ["sqlite3", "--version"])[0].split()[0]
    print(f"import_bench: {grouped(rows)} new residents into a demo of "
          f"{grouped(args.demo_residents)}; {version} ({steward})")
    line = f"import_bench: {os.cpu_count()} CPUs; sqlite3 {sqlite_version}"
    pg_version = ""
    if postgres:
        pg_version = postgres.psql("pg-version", args.postgres, "SHOW server_version")
        line += f"; PostgreSQL {pg_version}"
    print(line)
    print(f"import_bench: load average {os.getloadavg()[0]:.2f} at start "
          "(other work on the machine skews the numbers)")
    sys.stdout.flush()

    # 1. The demo databases (not timed as measurements).
    demo_db = path("demo.db")
    remove_sqlite(demo_db)
    log(f"building the SQLite demo ({grouped(args.demo_residents)} residents)")
    _, seconds, *_ = runner.must("sqlite-demo", [
        steward, "--db", f"sqlite:{demo_db}", "--key-file", key, "demo", "--residents",
        str(args.demo_residents), "--json"])
    log(f"  {seconds:.1f} s")
    pg_demo = None
    if postgres:
        pg_demo = f"steward_import_demo_{pid}"
        url = postgres.create(pg_demo)
        log(f"building the PostgreSQL demo ({grouped(args.demo_residents)} residents)")
        _, seconds, *_ = runner.must("postgres-demo", [
            steward, "--db", url, "--key-file", key, "demo", "--residents",
            str(args.demo_residents), "--json"])
        log(f"  {seconds:.1f} s")

    # 2. The file, as .csv and .xlsx: written by a child, so this process stays small (a child's
    # ru_maxrss starts from its parent's peak, which spawning copies in).
    csv_path, xlsx_path = path("big.csv"), path("big.xlsx")
    log(f"writing {grouped(rows)} residents to big.csv" + (" and big.xlsx" if with_xlsx else ""))
    stdout, seconds, *_ = runner.must("generate", [
        sys.executable, os.path.abspath(__file__), "--generate", demo_db, csv_path,
        xlsx_path if with_xlsx else "", str(rows), str(args.seed), args.xlsx_strings])
    log(f"  {stdout.strip()}; {seconds:.1f} s; "
        f"big.csv {os.path.getsize(csv_path) / 1e6:,.0f} MB"
        + (f", big.xlsx {os.path.getsize(xlsx_path) / 1e6:,.0f} MB ({args.xlsx_strings} strings)"
           if with_xlsx else ""))

    measurements = []
    goals = []

    # 3. SQLite.
    log("sqlite: sqlite3 .import")
    plain_db = path("plain.db")
    remove_sqlite(plain_db)
    _, seconds, peak, cpu = runner.must("sqlite-plain-import", ["sqlite3", "-batch", plain_db],
                                        stdin_text=f"CREATE TABLE plain ({quoted_columns()});\n"
                                                   f".import --csv --skip 1 '{csv_path}' plain\n")
    count = int(runner.must("sqlite-plain-count", ["sqlite3", plain_db,
                                                   "SELECT count(*) FROM plain"])[0])
    if count != rows:
        die(f"sqlite3 .import loaded {count} rows, not {rows}")
    sqlite_import = Measurement("sqlite", "sqlite3 .import csv", rows, seconds, peak, cpu)
    measurements.append(sqlite_import)

    log("sqlite: sqlite3 csv export")
    plain_out = path("plain-export.csv")
    _, seconds, peak, cpu = runner.must("sqlite-plain-export", ["sqlite3", "-batch", plain_db],
                                        stdin_text=f".headers on\n.mode csv\n.output "
                                                   f"'{plain_out}'\nSELECT * FROM plain;\n")
    sqlite_export = Measurement("sqlite", "sqlite3 csv export", rows, seconds, peak, cpu)
    remove_sqlite(plain_db)
    os.remove(plain_out)

    log("sqlite: steward import csv")
    run_db = path("run.db")
    copy_sqlite(demo_db, run_db)
    m = steward_import(runner, steward, f"sqlite:{run_db}", key, csv_path, rows, "sqlite",
                       "steward import csv")
    m.baseline = sqlite_import
    measurements.append(m)
    goals.append(("sqlite  steward import csv ÷ sqlite3 .import", m))
    sqlite_csv_import = m

    log("sqlite: steward import csv --dry-run (pass 1 alone)")
    copy_sqlite(demo_db, path("run-dry.db"))
    code, stdout, stderr, seconds, peak, cpu = runner.run("sqlite-steward-dry-run", [
        steward, "--db", f"sqlite:{path('run-dry.db')}", "--key-file", key, "import",
        "residents", csv_path, "--dry-run", "--json"])
    if code != 0:
        die(f"steward import --dry-run failed (exit {code}):\n{stderr[-4000:]}{stdout[-2000:]}")
    remove_sqlite(path("run-dry.db"))
    dry = Measurement("sqlite", "steward validate only", rows, seconds, peak, cpu)
    dry.notes.append(f"import --dry-run: pass 1 (read, check, resolve places) without pass 2; "
                     f"so pass 2 (re-read + write) took about "
                     f"{max(0.0, sqlite_csv_import.seconds - seconds):.1f} s of the csv import")
    measurements.append(dry)

    if with_xlsx:
        log("sqlite: steward import xlsx")
        xlsx_db = path("run-xlsx.db")
        copy_sqlite(demo_db, xlsx_db)
        m = steward_import(runner, steward, f"sqlite:{xlsx_db}", key, xlsx_path, rows, "sqlite",
                           "steward import xlsx")
        m.baseline = sqlite_import
        measurements.append(m)
        goals.append(("sqlite  steward import xlsx ÷ sqlite3 .import", m))
        remove_sqlite(xlsx_db)

    measurements.append(sqlite_export)
    for extension in ("xlsx", "csv"):
        log(f"sqlite: steward export {extension}")
        out = path(f"export.{extension}")
        m = steward_export(runner, steward, f"sqlite:{run_db}", key, out, "sqlite",
                           f"steward export {extension}")
        m.baseline = sqlite_export
        measurements.append(m)
        goals.append((f"sqlite  steward export {extension} ÷ sqlite3 csv export", m))
        os.remove(out)
    remove_sqlite(run_db)

    # 4. PostgreSQL.
    if postgres:
        log("postgres: psql \\copy from")
        plain_url = postgres.create(f"steward_import_plain_{pid}")
        postgres.psql("postgres-plain-table", plain_url, f"CREATE TABLE plain ({quoted_columns()})")
        _, seconds, peak, cpu = runner.must("postgres-plain-copy-from", [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", plain_url, "-c",
            f"\\copy plain FROM '{csv_path}' WITH (FORMAT csv, HEADER true)"])
        count = int(postgres.psql("postgres-plain-count", plain_url, "SELECT count(*) FROM plain"))
        if count != rows:
            die(f"psql \\copy loaded {count} rows, not {rows}")
        pg_copy = Measurement("postgres", "psql \\copy from csv", rows, seconds, peak, cpu)
        pg_copy.notes.append("peak RSS and CPU are psql's; the server's work is not counted")
        measurements.append(pg_copy)
        sqlite_csv_import_vs_copy = Measurement(
            "sqlite", "steward import csv", rows, sqlite_csv_import.seconds,
            sqlite_csv_import.peak_mb, baseline=pg_copy)
        goals.append(("sqlite  steward import csv ÷ PostgreSQL COPY", sqlite_csv_import_vs_copy))

        log("postgres: psql \\copy to")
        plain_out = path("plain-export.csv")
        _, seconds, peak, cpu = runner.must("postgres-plain-copy-to", [
            "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", plain_url, "-c",
            f"\\copy plain TO '{plain_out}' WITH (FORMAT csv, HEADER true)"])
        pg_copy_to = Measurement("postgres", "psql \\copy to csv", rows, seconds, peak, cpu)
        os.remove(plain_out)
        postgres.drop(f"steward_import_plain_{pid}")

        log("postgres: steward import csv")
        run_name = f"steward_import_run_{pid}"
        run_url = postgres.create(run_name, template=pg_demo)
        m = steward_import(runner, steward, run_url, key, csv_path, rows, "postgres",
                           "steward import csv")
        m.baseline = pg_copy
        measurements.append(m)
        goals.append(("postgres  steward import csv ÷ PostgreSQL COPY", m))
        vs_sqlite = Measurement("postgres", "steward import csv", rows, m.seconds, m.peak_mb,
                                baseline=sqlite_import)
        goals.append(("postgres  steward import csv ÷ sqlite3 .import", vs_sqlite))

        if with_xlsx:
            log("postgres: steward import xlsx")
            xlsx_name = f"steward_import_xlsx_{pid}"
            xlsx_url = postgres.create(xlsx_name, template=pg_demo)
            m = steward_import(runner, steward, xlsx_url, key, xlsx_path, rows, "postgres",
                               "steward import xlsx")
            m.baseline = pg_copy
            measurements.append(m)
            goals.append(("postgres  steward import xlsx ÷ PostgreSQL COPY", m))
            postgres.drop(xlsx_name)

        measurements.append(pg_copy_to)
        for extension in ("xlsx", "csv"):
            log(f"postgres: steward export {extension}")
            out = path(f"export.{extension}")
            m = steward_export(runner, steward, run_url, key, out, "postgres",
                               f"steward export {extension}")
            m.baseline = pg_copy_to
            measurements.append(m)
            goals.append((f"postgres  steward export {extension} ÷ psql \\copy to", m))
            os.remove(out)
        postgres.drop(run_name)
        postgres.drop(pg_demo)

    harness_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print_table(measurements, harness_mb)
    print_goals(goals, harness_mb)
    print()
    for m in measurements:
        if m.notes:
            print(f"  {m.engine} {m.what}: {'; '.join(m.notes)}")
    print(f"  harness peak RSS {harness_mb:.0f} MB: a floor under every peak above (a spawned "
          f"child's ru_maxrss starts from its parent's peak); ≤{harness_mb:.0f} means at the floor")
    if not with_xlsx:
        print(f"  no .xlsx measurement: {grouped(rows)} rows do not fit one sheet")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
