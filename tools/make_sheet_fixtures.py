#!/usr/bin/env python3
"""Writes the spreadsheet fixtures of src/sheet's tests and seeds the fuzz corpora (stdlib only).

    tools/make_sheet_fixtures.py [REPO]

Output, committed (rerunning gives the same bytes):
  tests/fixtures/sheets/    .xlsx in the dialects of Excel, WPS (x: prefixes, inline strings),
                            LibreOffice (cells without r=, formula strings), a 1904-date
                            workbook, a truncated .xlsx, a zip bomb (~30 KB inflating to 30 MB),
                            a zip that is not a workbook, a hand-built BIFF8 .xls and a truncated
                            one, CSVs (UTF-8, BOM, GB18030, tab, semicolon, CR line ends, quoted
                            line breaks, an unterminated quote, blank lines), an empty file,
                            a PNG.
  tests/fuzz/corpus/csv/    the CSV fixtures and small edge cases.
  tests/fuzz/corpus/xlsx/   the .xlsx fixtures, and XML seeds for xlsx_fuzz's XML mode
                            (sheet, shared strings, styles, workbook and a second sheet named
                            by r:id="rId4", separated by NUL bytes).

The expected values live in src/sheet/*_test.cpp; change both together.
"""

import datetime
import io
import pathlib
import struct
import sys
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
X14AC = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # zip entry times, so output is reproducible


# ---------------------------------------------------------------------------------------------
# .xlsx


def content_types(sheets=1, shared_strings=True):
    parts = [
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>',
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>',
    ]
    for i in range(1, sheets + 1):
        parts.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    if shared_strings:
        parts.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    return (HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>' + "".join(parts) +
            "</Types>")


def package_rels(workbook="xl/workbook.xml"):
    return (HEAD + f'<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="{workbook}"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>")


def relationships(items):
    body = "".join(f'<Relationship Id="{rid}" Type="{REL}/{kind}" Target="{target}"/>'
                   for rid, kind, target in items)
    return HEAD + f'<Relationships xmlns="{PKG_REL}">{body}</Relationships>'


def shared_strings(items):
    """items: plain strings, or raw <si> inner XML when starting with '<'."""
    body = []
    for item in items:
        if item.startswith("<"):
            body.append(f"<si>{item}</si>")
        else:
            space = ' xml:space="preserve"' if item != item.strip() else ""
            body.append(f"<si><t{space}>{escape(item)}</t></si>")
    return (HEAD + f'<sst xmlns="{MAIN}" count="{len(items)}" uniqueCount="{len(items)}">' +
            "".join(body) + "</sst>")


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def write_zip(path, entries, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, text in entries:
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.compress_type = compression
            data = text.encode("utf-8") if isinstance(text, str) else text
            archive.writestr(info, data, compresslevel=9 if compression else None)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


def excel_xlsx(path):
    """As Excel 2016+ writes it: shared strings, styles, a hidden first sheet, a second sheet."""
    strings = [
        "姓名", "身份证号", "出生日期", "登记日期", "年龄", "党员", "备注",  # 0-6
        "张三",  # 7
        # 8: rich text runs with a phonetic guide that must not leak into the text
        '<r><t>重点</t></r><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">关注 </t></r>'
        '<rPh sb="0" eb="2"><t>ジュウテン</t></rPh><phoneticPr fontId="1" type="noConversion"/>',
        "李四",  # 9
        "33118119850315002X",  # 10
        "<t>第一行_x000D_\n第二行</t>",  # 11: Excel's escape of a carriage return
        "王五",  # 12
        "不应读取",  # 13: only in the hidden sheet
        "说明",  # 14
    ]
    styles = (
        HEAD + f'<styleSheet xmlns="{MAIN}" xmlns:mc="{MC}" mc:Ignorable="x14ac" xmlns:x14ac="{X14AC}">'
        '<numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy&quot;年&quot;m&quot;月&quot;'
        'd&quot;日&quot;"/></numFmts>'
        '<fonts count="1"><font><sz val="11"/><name val="等线"/><family val="2"/>'
        '<charset val="134"/><scheme val="minor"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        # Style xfs with a date format: a reader that counted these as cell xfs would be wrong.
        '<cellStyleXfs count="2"><xf numFmtId="14" fontId="0" fillId="0" borderId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="6">'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="176" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="22" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="20" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '</cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="1"><dxf><numFmt numFmtId="177" formatCode="yyyy-mm-dd"/></dxf></dxfs>'
        '<tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>'
        "</styleSheet>")

    def sheet(dimension, rows):
        return (HEAD + f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}" xmlns:mc="{MC}" '
                f'mc:Ignorable="x14ac" xmlns:x14ac="{X14AC}"><dimension ref="{dimension}"/>'
                '<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>'
                '<sheetFormatPr defaultRowHeight="14.25" x14ac:dyDescent="0.2"/>'
                '<cols><col min="2" max="2" width="21" customWidth="1"/></cols>'
                f"<sheetData>{rows}</sheetData>"
                '<mergeCells count="1"><mergeCell ref="A9:B9"/></mergeCells>'
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                '<pageSetup paperSize="9" orientation="portrait" r:id="rId1"/></worksheet>')

    def row(number, cells, extra=""):
        return f'<row r="{number}" spans="1:7"{extra} x14ac:dyDescent="0.2">{cells}</row>'

    s = lambda ref, index: f'<c r="{ref}" t="s"><v>{index}</v></c>'
    header = "".join(s(f"{col}1", i) for i, col in enumerate("ABCDEFG"))
    rows = [
        row(1, header),
        row(2, s("A2", 7) + '<c r="B2"><v>3.3118119900101101E+17</v></c>'
            '<c r="C2" s="1"><v>32874</v></c><c r="D2" s="2"><v>45292</v></c>'
            '<c r="E2"><v>34</v></c><c r="F2" t="b"><v>1</v></c>' + s("G2", 8)),
        row(3, s("A3", 9) + s("B3", 10) + '<c r="C3" s="1"><v>60</v></c>'
            '<c r="D3" s="1"><v>59</v></c><c r="E3" t="e"><v>#N/A</v></c>' + s("G3", 11)),
        row(4, "", ' s="3" customFormat="1"'),  # a formatted, empty row
        row(5, s("A5", 12) + '<c r="B5"><v>13800138000</v></c>'
            '<c r="C5" s="4"><v>45292.5</v></c><c r="D5" s="5"><v>0.75</v></c>'
            '<c r="E5"><v>0.10000000000000001</v></c>'
            '<c r="F5" t="str"><f>IF(TRUE,"是","否")</f><v>是</v></c><c r="G5" s="1"/>'),
        row(6, '<c r="A6" s="3"/>'),
        row(7, '<c r="E7"><f>SUM(E2:E5)</f><v>34.1</v></c>'),
    ]
    sheet1 = sheet("A1:G7", "".join(rows))
    sheet2 = sheet("A1", row(1, s("A1", 14)))
    sheet3 = sheet("A1", row(1, s("A1", 13)))
    workbook = (
        HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}" xmlns:mc="{MC}" mc:Ignorable="x15">'
        '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="22228"/>'
        '<workbookPr defaultThemeVersion="166925"/>'
        '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="12300" activeTab="1"/></bookViews>'
        '<sheets><sheet name="隐藏" sheetId="3" state="hidden" r:id="rId3"/>'
        '<sheet name="名单" sheetId="1" r:id="rId1"/><sheet name="说明" sheetId="2" r:id="rId2"/></sheets>'
        '<calcPr calcId="191029"/></workbook>')
    rels = relationships([
        ("rId3", "worksheet", "worksheets/sheet3.xml"),
        ("rId2", "worksheet", "worksheets/sheet2.xml"),
        ("rId1", "worksheet", "worksheets/sheet1.xml"),
        ("rId4", "theme", "theme/theme1.xml"),
        ("rId5", "styles", "styles.xml"),
        ("rId6", "sharedStrings", "sharedStrings.xml"),
    ])
    return write_zip(path, [
        ("[Content_Types].xml", content_types(3)),
        ("_rels/.rels", package_rels()),
        ("docProps/core.xml", HEAD + "<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\"/>"),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/theme/theme1.xml", HEAD + '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office"/>'),
        ("xl/worksheets/sheet1.xml", sheet1),
        ("xl/worksheets/sheet2.xml", sheet2),
        ("xl/worksheets/sheet3.xml", sheet3),
        ("xl/styles.xml", styles),
        ("xl/sharedStrings.xml", shared_strings(strings)),
    ])


def wps_xlsx(path):
    """x: namespace prefixes everywhere (WPS and .NET writers), inline strings, an absolute
    relationship target, no shared-strings part."""
    x = f'xmlns:x="{MAIN}"'
    inline = lambda ref, text: f'<x:c r="{ref}" t="inlineStr"><x:is><x:t>{text}</x:t></x:is></x:c>'
    rows = [
        '<x:row r="1">' + inline("A1", "姓名") + inline("B1", "身份证号") + inline("C1", "出生日期") + "</x:row>",
        '<x:row r="2">' + inline("A2", "赵六") + inline("B2", "331181199001011234") +
        '<x:c r="C2" s="1"><x:v>36526</x:v></x:c></x:row>',
        '<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:r><x:t>孙</x:t></x:r><x:r><x:rPr><x:b/></x:rPr>'
        '<x:t>七</x:t></x:r></x:is></x:c><x:c r="B3"><x:v>1.5</x:v></x:c>'
        '<x:c r="C3" s="2"><x:v>44927.25</x:v></x:c></x:row>',
        '<x:row r="4"><x:c r="A4" t="inlineStr"><x:is><x:t xml:space="preserve">  两端空格  </x:t>'
        "</x:is></x:c></x:row>",
    ]
    sheet = (HEAD + f'<x:worksheet {x} xmlns:r="{REL}"><x:dimension ref="A1:C4"/>'
             f'<x:sheetData>{"".join(rows)}</x:sheetData></x:worksheet>')
    styles = (HEAD + f'<x:styleSheet {x}><x:numFmts count="1">'
              '<x:numFmt numFmtId="180" formatCode="yyyy/m/d h:mm"/></x:numFmts>'
              '<x:cellXfs count="3"><x:xf numFmtId="0"/><x:xf numFmtId="14" applyNumberFormat="1"/>'
              '<x:xf numFmtId="180" applyNumberFormat="1"/></x:cellXfs></x:styleSheet>')
    workbook = (HEAD + f'<x:workbook {x} xmlns:r="{REL}"><x:sheets>'
                '<x:sheet name="Sheet1" sheetId="1" r:id="R1a2b3c"/></x:sheets></x:workbook>')
    rels = (HEAD + f'<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Type="{REL}/worksheet" Target="/xl/worksheets/sheet1.xml" Id="R1a2b3c"/>'
            f'<Relationship Type="{REL}/styles" Target="/xl/styles.xml" Id="R9f8e7d"/>'
            "</Relationships>")
    return write_zip(path, [
        ("[Content_Types].xml", content_types(1, shared_strings=False)),
        ("_rels/.rels", package_rels("/xl/workbook.xml")),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", styles),
    ])


def libreoffice_xlsx(path):
    """Cells and rows without r= (their place follows the previous one), formula strings
    (t="str"), leading spaces kept by xml:space, E notation in <v>."""
    strings = ["编号", "名称", "说明", "甲", " 前导空格", "乙"]
    rows = [
        '<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row>',
        '<row><c><v>1</v></c><c t="s"><v>3</v></c><c t="str"><f>A2&amp;"号"</f><v>1号</v></c></row>',
        '<row r="4"><c r="B4" t="s"><v>4</v></c><c t="s"><v>5</v></c></row>',
        '<row><c r="C5"><v>-2.5E-3</v></c></row>',
        '<row r="6"><c r="A6" t="n"><v>1E+21</v></c></row>',
    ]
    sheet = (HEAD + f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}"><sheetPr filterMode="false"/>'
             '<dimension ref="A1:C6"/>'
             f'<sheetData>{"".join(rows)}</sheetData></worksheet>')
    workbook = (HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr backupFile="false" '
                'showObjects="all" date1904="false"/><sheets>'
                '<sheet name="Sheet1" sheetId="1" state="visible" r:id="rId2"/></sheets></workbook>')
    rels = relationships([
        ("rId1", "styles", "styles.xml"),
        ("rId2", "worksheet", "worksheets/sheet1.xml"),
        ("rId3", "sharedStrings", "sharedStrings.xml"),
    ])
    styles = (HEAD + f'<styleSheet xmlns="{MAIN}"><cellXfs count="1"><xf numFmtId="0"/></cellXfs>'
              "</styleSheet>")
    return write_zip(path, [
        ("[Content_Types].xml", content_types(1)),
        ("_rels/.rels", package_rels()),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", styles),
        ("xl/sharedStrings.xml", shared_strings(strings)),
    ])


def date1904_xlsx(path):
    epoch = datetime.date(1904, 1, 1)
    dates = [datetime.date(1904, 1, 1), datetime.date(1990, 1, 1), datetime.date(2024, 1, 1)]
    rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>日期</t></is></c></row>']
    for i, day in enumerate(dates, start=2):
        rows.append(f'<row r="{i}"><c r="A{i}" s="1"><v>{(day - epoch).days}</v></c></row>')
    sheet = HEAD + f'<worksheet xmlns="{MAIN}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    workbook = (HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr date1904="1"/>'
                '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    styles = (HEAD + f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
              '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')
    return write_zip(path, [
        ("[Content_Types].xml", content_types(1, shared_strings=False)),
        ("_rels/.rels", package_rels()),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels",
         relationships([("rId1", "worksheet", "worksheets/sheet1.xml"), ("rId2", "styles", "styles.xml")])),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/styles.xml", styles),
    ])


def zip_bomb_xlsx(path):
    """A sheet of 30 MB of spaces: ~30 KB deflated, a ratio past 1000."""
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData>' + " " * (30 << 20) +
             "</sheetData></worksheet>").encode()
    workbook = (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
                '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    data = write_zip(path, [
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", relationships([("rId1", "worksheet", "worksheets/sheet1.xml")])),
        ("xl/worksheets/sheet1.xml", sheet),
    ])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size / info.compress_size > 1000, info.compress_size
    assert len(data) < 100_000, len(data)


# ---------------------------------------------------------------------------------------------
# .xls: BIFF8 records in an OLE2 compound file, written by hand (Python has no .xls writer).


def record(kind, data=b""):
    return struct.pack("<HH", kind, len(data)) + data


def biff_string16(text):
    """XLUnicodeString: 16-bit length, flags (1 = UTF-16LE), characters."""
    return struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")


def biff_string8(text):
    """ShortXLUnicodeString: 8-bit length, flags, characters."""
    return struct.pack("<BB", len(text), 1) + text.encode("utf-16-le")


def xf(format_id, style):
    flags = 0xFFF5 if style else 0x0001  # style xf (parent 0xFFF), or locked cell xf of parent 0
    return record(0x00E0, struct.pack("<HHHBBBBIIH", 0, format_id, flags, 0x20, 0, 0, 0, 0, 0, 0x20C0))


def biff8_workbook():
    strings = ["姓名", "身份证号", "出生日期", "登记日期", "年龄", "备注", "张三", "李四",
               "33118119850315002X", "王五", "编号"]
    sst = {text: i for i, text in enumerate(strings)}
    # Cell xfs: 15 = general, 16 = date (14), 17 = custom date (164), 18 = date time (22),
    # 19 = time (20).
    cells = []
    label = lambda row, col, text: record(0x00FD, struct.pack("<HHHI", row, col, 15, sst[text]))
    number = lambda row, col, value, xf_index=15: record(0x0203, struct.pack("<HHHd", row, col, xf_index, value))
    rk_int = lambda row, col, value: record(0x027E, struct.pack("<HHHI", row, col, 15, (value << 2) | 2))
    for col, text in enumerate(["姓名", "身份证号", "出生日期", "登记日期", "年龄", "备注"]):
        cells.append(label(0, col, text))
    cells += [label(1, 0, "张三"), number(1, 1, 331181199001011234.0), number(1, 2, 32874, 16),
              number(1, 3, 45292, 17), rk_int(1, 4, 34),
              record(0x0204, struct.pack("<HHH", 1, 5, 15) + biff_string16("重点关注"))]
    cells += [label(2, 0, "李四"), label(2, 1, "33118119850315002X"), number(2, 2, 45292.5, 18),
              number(2, 3, 0.75, 19), record(0x0205, struct.pack("<HHHBB", 2, 4, 15, 1, 0))]
    cells += [label(4, 0, "王五"), number(4, 4, 0.1)]
    cells += [label(8, 0, "编号")]
    for i in range(9, 259):  # enough rows to make the stream a regular (non-mini) one
        cells.append(number(i, 0, i - 8))
    sheet = (record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6)) +
             record(0x0200, struct.pack("<IIHHH", 0, 259, 0, 6, 0)) + b"".join(cells) +
             record(0x000A))

    def globals_part(sheet_offset):
        fonts = b"".join(record(0x0031, struct.pack("<HHHHHBBBB", 220, 0, 0x7FFF, 400, 0, 0, 0, 0x86, 0) +
                                biff_string8("宋体")) for _ in range(5))
        xfs = b"".join(xf(0, True) for _ in range(15)) + xf(0, False) + xf(14, False) + \
            xf(164, False) + xf(22, False) + xf(20, False)
        sst_record = record(0x00FC, struct.pack("<II", len(strings), len(strings)) +
                            b"".join(biff_string16(s) for s in strings))
        return (record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6)) +
                record(0x0042, struct.pack("<H", 1200)) +  # CODEPAGE: UTF-16
                record(0x0022, struct.pack("<H", 0)) +  # DATEMODE: 1900
                fonts +
                record(0x041E, struct.pack("<H", 164) + biff_string16('yyyy"年"m"月"d"日"')) +
                xfs +
                record(0x0293, struct.pack("<HBB", 0x8000, 0, 0xFF)) +  # STYLE: Normal
                record(0x0085, struct.pack("<IBB", sheet_offset, 0, 0) + biff_string8("名单")) +
                sst_record + record(0x000A))

    offset = len(globals_part(0))
    stream = globals_part(offset) + sheet
    assert len(stream) > 4096  # past the mini-stream cutoff
    return stream


def compound_file(stream):
    """An OLE2 compound file (version 3, 512-byte sectors) holding one stream, "Workbook"."""
    sector = 512
    data_sectors = (len(stream) + sector - 1) // sector
    directory_sector = data_sectors
    fat_sector = data_sectors + 1
    assert fat_sector + 1 <= sector // 4  # one FAT sector is enough
    end, free, fat_mark = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    fat = [i + 1 for i in range(data_sectors - 1)] + [end, end, fat_mark]
    fat += [free] * (sector // 4 - len(fat))
    header = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 16 +
              struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6 +
              struct.pack("<IIIIIIIII", 0, 1, directory_sector, 0, 4096, end, 0, end, 0) +
              struct.pack("<I", fat_sector) + struct.pack("<I", free) * 108)
    assert len(header) == sector

    def entry(name, kind, child, start, size):
        encoded = (name + "\0").encode("utf-16-le") if name else b""
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1) +
                struct.pack("<III", free, free, child) + b"\0" * 16 + struct.pack("<I", 0) +
                b"\0" * 16 + struct.pack("<IQ", start, size))

    directory = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 0, len(stream)) +
                 entry("", 0, free, free, 0) * 2)
    body = stream.ljust(data_sectors * sector, b"\0") + directory + struct.pack(f"<{sector // 4}I", *fat)
    return header + body


# ---------------------------------------------------------------------------------------------
# CSV and the rest

PEOPLE_CSV = ('姓名,身份证号,电话,出生日期,备注\r\n'
              '张三,331181199001011234,13800138000,1990-01-01,"住址：龙泉市,城东街道"\r\n'
              '李四,33118119850315002X,13900139000,1985-03-15,"他说""你好"""\r\n'
              '王五,331181200012310011,,2000-12-31,"第一行\r\n第二行"\r\n')


def write_fixtures(fixtures):
    fixtures.mkdir(parents=True, exist_ok=True)
    (fixtures / "utf8.csv").write_bytes(PEOPLE_CSV.encode())
    (fixtures / "utf8_bom.csv").write_bytes(b"\xEF\xBB\xBF" + PEOPLE_CSV.replace("\r\n", "\n").encode())
    # 㐀 and 䶮 are four-byte sequences in GB18030 (outside GBK).
    (fixtures / "gb18030.csv").write_bytes(
        ("姓名,民族,住址\r\n刘䶮,汉族,龙泉市㐀村\r\n欧阳娜娜,回族,\"城东街道,1号\"\r\n").encode("gb18030"))
    (fixtures / "tab.csv").write_bytes("姓名\t年龄\t备注\n张三\t34\t有,逗号\n李四\t\t\n".encode())
    (fixtures / "semicolon.csv").write_bytes("姓名;年龄\n张三;34\n".encode())
    (fixtures / "cr_endings.csv").write_bytes("a,b\r1,\"x\ry\"\r2,z\r".encode())
    (fixtures / "blank_lines.csv").write_bytes("a,b\n\n1,2\n,,\n\n3,4".encode())
    (fixtures / "unterminated_quote.csv").write_bytes('a,b\n1,2\n3,"没有结尾\n4,5\n'.encode())
    (fixtures / "empty.csv").write_bytes(b"")
    (fixtures / "blank.csv").write_bytes(b"\xEF\xBB\xBF \r\n\t\n")
    (fixtures / "not_a_sheet.png").write_bytes(
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89"
        b"\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82")

    excel = excel_xlsx(fixtures / "excel.xlsx")
    wps_xlsx(fixtures / "wps.xlsx")
    libreoffice_xlsx(fixtures / "libreoffice.xlsx")
    date1904_xlsx(fixtures / "date1904.xlsx")
    (fixtures / "truncated.xlsx").write_bytes(excel[: len(excel) * 6 // 10])
    zip_bomb_xlsx(fixtures / "zip_bomb.xlsx")
    write_zip(fixtures / "not_a_workbook.zip", [("word/document.xml", "<document/>"), ("readme.txt", "hello")])

    xls = compound_file(biff8_workbook())
    (fixtures / "basic.xls").write_bytes(xls)
    (fixtures / "truncated.xls").write_bytes(xls[: len(xls) // 2])


def xml_seed(sheet, strings="", styles="", workbook="", second_sheet=""):
    return "\0".join([sheet, strings, styles, workbook, second_sheet]).rstrip("\0").encode()


def write_corpus(fixtures, corpus):
    csv_dir, xlsx_dir = corpus / "csv", corpus / "xlsx"
    csv_dir.mkdir(parents=True, exist_ok=True)
    xlsx_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(fixtures.iterdir()):
        if path.suffix in (".csv", ".png"):
            (csv_dir / f"seed_{path.stem}").write_bytes(path.read_bytes())
        elif path.suffix in (".xlsx", ".zip"):
            (xlsx_dir / f"seed_{path.stem}").write_bytes(path.read_bytes())
    csv_cases = {
        "quote_in_middle": b'a,b"c,d\n',
        "quote_after_close": b'"ab"cd,e\n',
        "only_quotes": b'""""\n""\n',
        "crlf_split": b"a\r\r\n\r\nb",
        "utf8_cut": "名".encode()[:2],
        "gb18030_cut": "名字".encode("gb18030")[:3],
        "invalid_both": b"\xff\xfe\xfd\xfc",
        "wide_row": (",".join(["x"] * 300) + "\n").encode(),
        "long_cell": b"a" * 70000,
        "bom_only": b"\xEF\xBB\xBF",
        "bom_twice": b"\xEF\xBB\xBF\xEF\xBB\xBFa,b",
        "semicolon_tie": b"a;b,c\n",
        "tabs_quoted": b'"a\tb"\tc\n',
    }
    for name, data in csv_cases.items():
        (csv_dir / f"case_{name}").write_bytes(data)
    ns = f' xmlns="{MAIN}"'
    xlsx_cases = {
        "plain": xml_seed(f'<worksheet{ns}><sheetData><row r="1"><c r="A1"><v>1</v></c>'
                          '<c r="B1" t="s"><v>0</v></c></row></sheetData></worksheet>',
                          f'<sst{ns}><si><t>一</t></si></sst>'),
        "dates": xml_seed(f'<worksheet{ns}><sheetData><row><c s="1"><v>60</v></c><c s="1"><v>61.5</v>'
                          '</c><c s="2"><v>0.5</v></c><c s="1"><v>2958466</v></c></row></sheetData></worksheet>',
                          "", f'<styleSheet{ns}><numFmts><numFmt numFmtId="170" formatCode="[h]:mm"/></numFmts>'
                          '<cellXfs><xf/><xf numFmtId="14"/><xf numFmtId="170"/></cellXfs></styleSheet>'),
        "absurd_row": xml_seed(f'<worksheet{ns}><sheetData><row r="99999999"><c><v>1</v></c></row>'
                               "</sheetData></worksheet>"),
        "absurd_column": xml_seed(f'<worksheet{ns}><sheetData><row><c r="ZZZZ1"><v>1</v></c></row>'
                                  "</sheetData></worksheet>"),
        "inline_escape": xml_seed(f'<worksheet{ns}><sheetData><row><c t="inlineStr"><is><t>a_x000D_b_xD83D__xDE00_'
                                  '_xD800_</t></is></c></row></sheetData></worksheet>'),
        "prefixed": xml_seed(f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData><x:row><x:c t="b"><x:v>0</x:v></x:c>'
                             '<x:c t="e"><x:v>#DIV/0!</x:v></x:c><x:c t="d"><x:v>2024-02-29T13:45:00</x:v></x:c>'
                             "</x:row></x:sheetData></x:worksheet>"),
        "doctype": xml_seed('<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet><sheetData/></worksheet>'),
        "date1904": xml_seed(f'<worksheet{ns}><sheetData><row><c s="1"><v>0</v></c></row></sheetData></worksheet>',
                             "", f'<styleSheet{ns}><cellXfs><xf/><xf numFmtId="14"/></cellXfs></styleSheet>',
                             f'<workbook{ns} xmlns:r="{REL}"><workbookPr date1904="true"/><sheets>'
                             '<sheet name="a" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "bad_sst_index": xml_seed(f'<worksheet{ns}><sheetData><row><c t="s"><v>7</v></c></row></sheetData></worksheet>',
                                  f'<sst{ns}><si><r><t>a</t></r><rPh><t>b</t></rPh></si></sst>'),
        "truncated_xml": xml_seed(f'<worksheet{ns}><sheetData><row><c><v>1'),
        # Continuation sheets (NextSheet): a hidden sheet between two visible ones; the same
        # part named twice; a broken second sheet.
        "two_sheets": xml_seed(f'<worksheet{ns}><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>',
                               "", "",
                               f'<workbook{ns} xmlns:r="{REL}"><sheets><sheet name="居民信息" sheetId="1" r:id="rId1"/>'
                               '<sheet name="_choices" sheetId="2" state="hidden" r:id="rId1"/>'
                               '<sheet name="居民信息(2)" sheetId="3" r:id="rId4"/></sheets></workbook>',
                               f'<worksheet{ns}><sheetData><row r="1"><c t="inlineStr"><is><t>二</t></is></c></row>'
                               '<row r="3"><c><v>3</v></c></row></sheetData></worksheet>'),
        "same_sheet_twice": xml_seed(f'<worksheet{ns}><sheetData><row r="2"><c><v>2</v></c></row></sheetData></worksheet>',
                                     "", "",
                                     f'<workbook{ns} xmlns:r="{REL}"><sheets><sheet name="a" sheetId="1" r:id="rId1"/>'
                                     '<sheet name="b" sheetId="2" r:id="rId1"/></sheets></workbook>'),
        "broken_second_sheet": xml_seed(f'<worksheet{ns}><sheetData><row><c><v>1</v></c></row></sheetData></worksheet>',
                                        "", "",
                                        f'<workbook{ns} xmlns:r="{REL}"><sheets><sheet name="a" sheetId="1" r:id="rId1"/>'
                                        '<sheet name="b" sheetId="2" r:id="rId4"/><sheet name="c" sheetId="3" r:id="rId1"/>'
                                        '</sheets></workbook>',
                                        f'<worksheet{ns}><sheetData><row r="0"/></sheetData></worksheet>'),
    }
    for name, data in xlsx_cases.items():
        (xlsx_dir / f"case_{name}").write_bytes(data)


def main():
    repo = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    fixtures = repo / "tests" / "fixtures" / "sheets"
    write_fixtures(fixtures)
    write_corpus(fixtures, repo / "tests" / "fuzz" / "corpus")
    print(f"sheet fixtures: {len(list(fixtures.iterdir()))} files in {fixtures}")


if __name__ == "__main__":
    main()
