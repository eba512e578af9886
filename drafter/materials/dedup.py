"""One activity, several materials: merge agreeing reports into one fact with several sources; report
disagreeing numbers as a conflict with every version and its sources.

Similarity is the overlap of character bigrams of the words (numbers, dates, the union's own name and
punctuation removed), relative to the shorter text, so a terse monthly-report line matches the long news
item it summarises. Numbers decide between "the same" and "a conflict": agreeing values of a shared unit
kind merge; a differing value of a shared kind is a conflict. Two candidates from one file never merge
unless their text is the same, and figures computed from a spreadsheet never conflict with prose (a year's
ledger and a month's report count different things).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..checking.numerals import close
from ..facts import FactProvenance, FactSource
from .extract import Candidate
from .model import Conflict

MERGE_SIM = 0.5
LEAD_SIM = 0.4  # an event told without figures, and the same event with them
CONFLICT_SIM = 0.6
STRONG_SIM = 0.3  # two figures the same (15个 and 680余人): the same activity told in other words
PARTIAL_SIM = 0.35  # one figure the same, another different: the same activity, less alike in words
TEXT_ONLY_SIM = 0.75
_STRIP = re.compile(r"[0-9０-９.．%％]+|[^\u4e00-\u9fff]|[年月日号]|(?:[^，。]{0,12}?)(?:工会联合会|工会)|其中|全年|共计|共有|共|约|余|多")
_TOTAL = re.compile(r"全年|累计|共计|合计|总计|一年来|今年以来|年内|截至")
_UP_TO = re.compile(r"截[至止]\s*([0-9一二三四五六七八九十]{1,2})\s*月")


def _scope(text: str) -> str:
    """`year` for a year's total, `upto-9` for a total to the end of September, "" for a deed."""
    m = _UP_TO.search(text)
    if m:
        return f"upto-{m.group(1)}"
    return "year" if _TOTAL.search(text) else ""


_COMMON = 300  # bigrams in more candidates than this are too common to find neighbours by


@dataclass
class _Node:
    cand: Candidate
    grams: frozenset[str]
    nums: dict[str, list[float]]
    months: frozenset[int]
    members: list[Candidate] = field(default_factory=list)


def _grams(text: str) -> frozenset[str]:
    s = _STRIP.sub("", text)
    return frozenset(s[i : i + 2] for i in range(len(s) - 1))


def _months(c: Candidate) -> frozenset[int]:
    return frozenset(int(m) for m in re.findall(r"(?<![0-9])(1[0-2]|[1-9])月", c.text))


def _node(c: Candidate) -> _Node:
    nums: dict[str, list[float]] = defaultdict(list)
    for kind, value, _w in c.amounts:
        nums[kind].append(value)
    return _Node(c, _grams(c.text), dict(nums), _months(c), [c])


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if len(a) < 3 or len(b) < 3:
        return 1.0 if a == b and a else 0.0
    return len(a & b) / min(len(a), len(b))


def _agreement(a: _Node, b: _Node) -> tuple[bool, bool]:
    """(agree, disagree) over the unit kinds both report."""
    shared = set(a.nums) & set(b.nums)
    agree = disagree = False
    for k in shared:
        va, vb = a.nums[k], b.nums[k]
        if any(close(x, y) for x in va for y in vb):
            agree = True
        if any(not any(close(x, y) for y in vb) for x in va) and any(not any(close(y, x) for x in va) for y in vb):
            disagree = True
    return agree, disagree


def _shared_values(a: _Node, b: _Node) -> int:
    return sum(1 for k in set(a.nums) & set(b.nums) for x in set(a.nums[k]) if any(close(x, y) for y in b.nums[k]))


def merge(cands: list[Candidate]) -> tuple[list[FactProvenance], list[Conflict]]:
    nodes = [_node(c) for c in cands]
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    postings: dict[str, list[int]] = defaultdict(list)
    for i, n in enumerate(nodes):
        for g in n.grams:
            postings[g].append(i)
    conflicts: list[tuple[int, int]] = []
    leads: dict[int, tuple[float, int]] = {}  # figure-less event -> (similarity, best figured match)
    for i, a in enumerate(nodes):
        seen: Counter[int] = Counter()
        for g in a.grams:
            p = postings[g]
            if len(p) <= _COMMON:
                seen.update(j for j in p if j > i)
        for j, _shared in seen.items():
            b = nodes[j]
            if a.cand.block != b.cand.block:
                continue
            sim = similarity(a.grams, b.grams)
            if a.cand.file == b.cand.file:
                if a.cand.text == b.cand.text:
                    parent[find(j)] = find(i)
                continue
            if a.months and b.months and not (a.months & b.months):
                continue  # 3月 and 9月: two activities of a kind
            agree, disagree = _agreement(a, b)
            if _scope(a.cand.text) != _scope(b.cand.text):
                # 全年共慰问120户 and 春节慰问32户 (or 截至9月底): neither one fact nor a conflict, unless two
                # figures agree (a ledger's computed total and the report that quotes it)
                if agree and not disagree and _shared_values(a, b) >= 2 and sim >= STRONG_SIM:
                    parent[find(j)] = find(i)
                continue
            if not a.nums and not b.nums:
                if sim >= TEXT_ONLY_SIM:
                    parent[find(j)] = find(i)
            elif a.cand.block == "items" and bool(a.nums) != bool(b.nums):
                if sim >= LEAD_SIM:  # `大赛在实训基地举行` and the report's figures for the same 大赛
                    bare, full = (i, j) if not a.nums else (j, i)
                    if sim > leads.get(bare, (0.0, -1))[0]:
                        leads[bare] = (sim, full)
            elif agree and not disagree and (sim >= MERGE_SIM or (_shared_values(a, b) >= 2 and sim >= STRONG_SIM)):
                parent[find(j)] = find(i)
            elif disagree and (sim >= CONFLICT_SIM or (agree and sim >= PARTIAL_SIM)) \
                    and not (a.cand.sheet or b.cand.sheet):
                conflicts.append((i, j))
    # An event told without figures joins its best match only, and only while it stands alone: it must never
    # chain two reports whose figures differ into one fact.
    size = Counter(find(k) for k in range(len(nodes)))
    for bare, (_sim, full) in leads.items():
        if size[find(bare)] == 1:
            root = find(full)
            parent[find(bare)] = root
            size[root] += 1
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(nodes)):
        groups[find(i)].append(i)
    in_conflict: dict[int, set[int]] = defaultdict(set)
    for i, j in conflicts:
        ri, rj = find(i), find(j)
        if ri != rj:
            in_conflict[ri].add(rj)
            in_conflict[rj].add(ri)
    facts: list[FactProvenance] = []
    out_conflicts: list[Conflict] = []
    done: set[int] = set()
    for root in sorted(groups, key=lambda r: min(groups[r])):
        if root in done:
            continue
        if root in in_conflict:
            members = _closure(root, in_conflict)
            done |= members
            versions = [_fact([nodes[k].cand for k in groups[m]]) for m in sorted(members, key=lambda r: min(groups[r]))]
            out_conflicts.append(Conflict(reason=_reason(versions), facts=versions))
            continue
        done.add(root)
        facts.append(_fact([nodes[k].cand for k in groups[root]]))
    return facts, out_conflicts


def _closure(root: int, edges: dict[int, set[int]]) -> set[int]:
    seen, todo = {root}, [root]
    while todo:
        for n in edges[todo.pop()]:
            if n not in seen:
                seen.add(n)
                todo.append(n)
    return seen


def _fact(members: list[Candidate]) -> FactProvenance:
    """One fact for agreeing reports: the wording with the most figures, then the shortest; every source."""
    best = max(members, key=lambda c: (len(c.amounts), c.computation is not None, -len(c.text)))
    sources: list[FactSource] = []
    seen: set[tuple[str, str]] = set()
    for c in [best] + [m for m in members if m is not best]:
        if (c.file, c.quote) not in seen:
            seen.add((c.file, c.quote))
            sources.append(FactSource(file=c.file, quote=c.quote, location=c.location))
    comps = [c.computation for c in members if c.computation]
    return FactProvenance(text=best.text, block=best.block, sources=sources, computation=comps[0] if comps else None)


def _reason(versions: list[FactProvenance]) -> str:
    from .extract import amounts_of

    sets = [[w for _k, _v, w in amounts_of(v.text)] for v in versions]
    differing = [[n for n in s if not all(n in other for other in sets)] for s in sets]
    shown = " / ".join("、".join(d) or "—" for d in differing)
    files = " 与 ".join("、".join(s.file for s in v.sources) for v in versions)
    return f"同一活动在不同材料中的数字不一致（{shown}）：{files}，请核实后选定"
