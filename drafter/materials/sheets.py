"""Spreadsheets: a 台账 (one row per person or payment) yields facts computed by code — rows counted, amount
columns summed, grouped by its category column — with the computation recorded; a 活动登记表 (one row per
activity) yields one fact per row, quoting the row. Rows dated outside the year are left out and reported.
"""

from __future__ import annotations

import re

from ..checking.numerals import format_number, parse_value
from .extract import Candidate, SkipNote
from .period import years_in
from .readers import Table, render_row

_DATE_HEAD = re.compile(r"日期|时间|年月|月份")
_NAME_HEAD = re.compile(r"姓名|名字")
_AMOUNT_HEAD = re.compile(r"金额|[（(]?万?元[）)]?|款|费|慰问金|助学金|补助|资金|价值|现金|物资")
_COUNT_HEAD = re.compile(r"人数|人次|数量|次数|户数|场次")
_ACTIVITY_HEAD = re.compile(r"活动|项目名称|赛事|会议名称|事项|内容|^名称$")
# A row per unit (网点名称, 单位名称, 部门): counted like people, never one fact per row.
_ENTITY_HEAD = re.compile(r"(?:单位|网点|部门|企业|科室|支行|分行|班组|学校|社区|基层工会|分会)(?:名称)?$")
_CATEGORY_HEAD = re.compile(r"类别|类型|事由|性质|行业|分类|种类|项目|获奖|奖项|奖次|名次|等次|等级|结果")
_DATE_VALUE = re.compile(r"((?:19|20)\d{2})\s*(?:[-/.年])\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?")
_TITLE_JUNK = re.compile(r"台账|登记表|明细表|统计表|汇总表|一览表|发放表|花名册|名册|名单|登记|明细|汇总|情况|表$")
_CARE_VERBS = ("帮扶", "慰问", "救助", "资助", "补助", "助学")


def table_candidates(table: Table, file: str, year: int, skipped: list[SkipNote], *, standalone: bool = True
                     ) -> list[Candidate]:
    """Facts from one table. `standalone`: a spreadsheet file, not a table inside a report (a report's table
    of activities is a list to quote row by row, not a register whose rows make a total)."""
    header = table.header
    rows = table.rows
    if not header or not rows:
        return []
    cols = _classify(header, [r for _n, r in rows])
    if cols["date"] is not None:
        rows = [(n, _excel_date(r, cols["date"])) for n, r in rows]
    kept: list[tuple[int, list[str]]] = []
    dropped: list[tuple[int, list[str]]] = []
    for n, r in rows:
        y = _row_year(r, cols["date"])
        (dropped if y is not None and y != year else kept).append((n, r))
    if dropped:
        ys = sorted({y for _n, r in dropped if (y := _row_year(r, cols["date"])) is not None})
        skipped.append(SkipNote(file, f"「{table.name}」{_ranges([n for n, _r in dropped])}日期为"
                                      f"{'、'.join(f'{y}年' for y in ys)}，不在{year}年度内，未计入"))
    if not kept:
        return []
    listing = cols["count"] or cols["amount"] or len(kept) <= 12  # an activity register, not a list of records
    if cols["activity"] is not None and cols["name"] is None and cols["entity"] is None and listing:
        return _register(table, file, kept, cols, totals=standalone)
    if cols["name"] is not None or cols["amount"] or cols["category"] is not None or len(kept) >= 5:
        return _ledger(table, file, kept, cols)
    return [_row_fact(table, file, n, r) for n, r in kept if re.search(r"\d", "".join(r))]


def _classify(header: list[str], rows: list[list[str]]) -> dict:
    def numeric(i: int) -> bool:
        vals = [r[i] for r in rows if i < len(r) and r[i]]
        return bool(vals) and sum(parse_value(_MONEY_MARKS.sub("", v)) is not None for v in vals) >= 0.8 * len(vals)

    def first(pattern: re.Pattern[str], exclude: set[int]) -> int | None:
        return next((i for i, h in enumerate(header) if i not in exclude and pattern.search(h)), None)

    date = first(_DATE_HEAD, set())
    if date is None:
        date = next((i for i in range(len(header))
                     if sum(bool(_DATE_VALUE.match(r[i])) for r in rows if i < len(r) and r[i]) >= 0.6 * len(rows)), None)
    name = first(_NAME_HEAD, {date} - {None})  # type: ignore[arg-type]
    entity = None if name is not None else first(_ENTITY_HEAD, {date} - {None})  # type: ignore[arg-type]
    if entity is None and name is None:  # `驿站名称`, `书屋名称`: a row per place, unless it names an activity
        entity = next((i for i, h in enumerate(header) if i != date and h.endswith("名称")
                       and not _ACTIVITY_HEAD.search(h)), None)
    used = {i for i in (date, name, entity) if i is not None}
    amount = [i for i, h in enumerate(header) if i not in used and _AMOUNT_HEAD.search(h) and not _COUNT_HEAD.search(h)
              and numeric(i)]
    count = [i for i, h in enumerate(header) if i not in used and _COUNT_HEAD.search(h) and numeric(i)]
    used |= set(amount) | set(count)
    activity = first(_ACTIVITY_HEAD, used)
    category = None
    for i, h in enumerate(header):
        if i in used or i == activity or not _CATEGORY_HEAD.search(h):
            continue
        distinct = {r[i] for r in rows if i < len(r) and r[i]}
        if 2 <= len(distinct) <= 10 and len(distinct) <= max(2, len(rows) // 2):
            category = i
            break
    return {"date": date, "name": name, "entity": entity, "amount": amount, "count": count, "activity": activity, "category": category}


def _excel_date(row: list[str], i: int) -> list[str]:
    """A date cell saved as a bare serial number (45292 is 2024-01-01) reads as the date it is."""
    v = row[i] if i < len(row) else ""
    if re.fullmatch(r"[2-7]\d{4}(?:\.\d+)?", v):
        import datetime as dt

        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(float(v)))
        return [*row[:i], day.isoformat(), *row[i + 1 :]]
    return row


def _row_year(row: list[str], date_col: int | None) -> int | None:
    if date_col is None or date_col >= len(row):
        return None
    v = row[date_col]
    if v[:4].isdigit() and v[4:5] in ("-", "/", ".", "年"):
        return int(v[:4])  # the common case, without a regex
    m = _DATE_VALUE.match(v.strip())
    return int(m.group(1)) if m else None


def _month_day(value: str) -> str:
    m = _DATE_VALUE.match(value.strip())
    if not m:
        return value.strip()
    return f"{int(m.group(2))}月" + (f"{int(m.group(3))}日" if m.group(3) else "")


def _ranges(nums: list[int]) -> str:
    """`第3–45行`, `第4行、第8–9行`; a group scattered over a long ledger: its bounds and its count."""
    spans: list[list[int]] = []
    for n in nums:  # rows come in sheet order
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            if len(spans) == 6:
                return f"第{nums[0]}–{nums[-1]}行中的{len(nums)}行"
            spans.append([n, n])
    return "、".join(f"第{a}行" if a == b else f"第{a}–{b}行" for a, b in spans)


_MONEY_MARKS = re.compile(r"[,，\s￥¥]|元$")


def _number(v: str) -> float:
    try:
        return float(v)
    except ValueError:
        return parse_value(_MONEY_MARKS.sub("", v)) or 0.0


# --- a register: one activity a row --------------------------------------------------------------------------
def _register(table: Table, file: str, kept: list[tuple[int, list[str]]], cols: dict, *, totals: bool
              ) -> list[Candidate]:
    out = [_activity_fact(table, file, n, r, cols) for n, r in kept]
    count = cols["count"][0] if cols["count"] else None
    if totals and len(kept) >= 2:
        n_rows = len(kept)
        text = f"全年登记活动{n_rows}项"
        comp = f"{file}「{table.name}」{_ranges([n for n, _r in kept])}计数 = {n_rows}"
        if count is not None:
            total = format_number(sum(_number(r[count]) for _n, r in kept if r[count]))
            text += f"，{_count_phrase(table.header[count])}合计{total}人次"
            comp += f"；{table.header[count]}列求和 = {total}"
        out.append(Candidate(text, "items", file, _table_quote(table), table.name, computation=comp, sheet=True))
    return out


def _count_phrase(head: str) -> str:
    return re.sub(r"人数|人次|数量", "", head) or "参加"


def _activity_fact(table: Table, file: str, n: int, r: list[str], cols: dict) -> Candidate:
    parts = []
    when = _month_day(r[cols["date"]]) if cols["date"] is not None and r[cols["date"]] else ""
    parts.append(f"{when}{r[cols['activity']]}")
    for i in cols["count"]:
        if r[i]:
            parts.append(f"{_count_phrase(table.header[i])}{r[i]}人")
    for i in cols["amount"]:
        if r[i]:
            parts.append(f"{re.sub(r'[（(]?元[）)]?', '', table.header[i])}{r[i]}元")
    used = {cols["date"], cols["activity"], cols["name"], *cols["count"], *cols["amount"]}
    for i, h in enumerate(table.header):
        if i not in used and r[i] and re.search(r"说明|备注|情况|成效|内容", h) and not re.search(r"上年|补录", r[i]):
            parts.append(r[i])
    return Candidate("，".join(p for p in parts if p), "items", file, render_row(table.header, r),
                     f"{table.name} 第{n}行", sheet=True)


def _row_fact(table: Table, file: str, n: int, r: list[str]) -> Candidate:
    text = render_row(table.header, r)
    return Candidate(text, "items", file, text, f"{table.name} 第{n}行", sheet=True)


# --- a ledger: one person or payment a row ------------------------------------------------------------------
def _subject(table: Table, file: str) -> tuple[str, str]:
    """(phrase, unit): `帮扶困难职工`, `人次` from a title like `XX公司2024年困难职工帮扶台账`."""
    title = table.title or table.name or file
    s = re.sub(r"^.*?\d{4}\s*年度?", "", title)
    s = _TITLE_JUNK.sub("", re.sub(r"\.\w+$", "", s)).strip(" ：:")
    if not s or s.startswith(("Sheet", "sheet")):
        s = _TITLE_JUNK.sub("", re.sub(r"\.\w+$", "", file))
    if s in _CARE_VERBS:
        return f"{s}职工", "人次"
    m = re.match(rf"^(.+?)({'|'.join(_CARE_VERBS)})$", s)
    if m:
        return f"{m.group(2)}{m.group(1)}", "人次"
    return s, "人"


def _ledger(table: Table, file: str, kept: list[tuple[int, list[str]]], cols: dict) -> list[Candidate]:
    phrase, unit = _subject(table, file)
    if cols["entity"] is not None:
        unit = "个"
    elif cols["name"] is None:
        unit = "件" if re.search(r"提案|建议|意见|来信|来访|信访|案件|纠纷|诉求", phrase) else "笔"
    labels = _amount_labels(table.header, cols["amount"])
    where = f"{file}「{table.name}」"

    def summary(rows: list[tuple[int, list[str]]], lead: str, scope: str) -> Candidate:
        n = len(rows)
        text = f"{lead}{n}{unit}"
        comp = [f"{where}{scope}计数 = {n}"]
        for i, label in zip(cols["amount"], labels, strict=True):
            total = format_number(sum(_number(r[i]) for _n, r in rows if r[i]))
            money = "万元" if "万元" in table.header[i] else "元"
            text += f"，{label}合计{total}{money}"
            comp.append(f"{table.header[i]}列求和 = {total}{money}")
        for i in cols["count"]:
            total = format_number(sum(_number(r[i]) for _n, r in rows if r[i]))
            text += f"，{table.header[i]}合计{total}"
            comp.append(f"{table.header[i]}列求和 = {total}")
        return Candidate(text, "items", file, _table_quote(table), f"{table.name} {_ranges([n for n, _r in rows])}",
                         computation="；".join(comp), sheet=True)

    out = [summary(kept, f"全年{phrase}", _ranges([n for n, _r in kept]))]
    cat = cols["category"]
    if cat is not None:
        groups: dict[str, list[tuple[int, list[str]]]] = {}
        for n, r in kept:  # one pass: a 260,000-row ledger is grouped in well under a second
            if r[cat]:
                groups.setdefault(r[cat], []).append((n, r))
        head = table.header[cat]
        for value, rows in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            out.append(summary(rows, f"其中{value}", f"中「{head}」为「{value}」的行（{_ranges([n for n, _r in rows])}）"))
    return out


def _amount_labels(header: list[str], amount: list[int]) -> list[str]:
    names = [re.sub(r"[（(]?万?元[）)]?", "", header[i]) for i in amount]
    if len(names) >= 2:
        prefix = names[0]
        for nm in names[1:]:
            while prefix and not nm.startswith(prefix):
                prefix = prefix[:-1]
        if prefix and all(len(nm) > len(prefix) for nm in names):
            return [nm[len(prefix):] for nm in names]
    return [nm or "金额" for nm in names]


def _table_quote(table: Table) -> str:
    head = "、".join(h for h in table.header if h)
    return f"{table.title}（{head}）" if table.title else head


def sheet_years(table: Table) -> set[int]:
    return years_in(table.title)
