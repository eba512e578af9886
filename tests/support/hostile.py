"""Long hostile runs for the amount checker (the hardening tests and bench/bench_check.py share them): each
defeated a pattern once or would if it were not linear."""

from __future__ import annotations

import random


def hostile_runs(n: int = 100_000) -> dict[str, str]:
    """About `n` characters of each kind, by name; the same text on every call (a fixed seed)."""
    rnd = random.Random(7)
    return {
        "digits": "1" * n,
        "random digits": "".join(rnd.choice("0123456789") for _ in range(n)),
        "letters": "a" * n,
        "letters and digits": "".join(rnd.choice("aZ19") for _ in range(n)),
        "digits and Chinese units": "".join(rnd.choice("0123456789十百千万亿") for _ in range(n)),
        "digits, numerals, 余多": "".join(rnd.choice("0123456789一二三十百千万亿余多至成") for _ in range(n)),
        "run of 一": "一" * n,
        "Chinese numerals": "".join(rnd.choice("一二三四五六七八九十百千万两〇") for _ in range(n)),
        "punctuation": "，" * n,
        "mixed punctuation": "".join(rnd.choice("，。、；：“”《》（）【】,.;:-~%·") for _ in range(n)),
        "random CJK": "".join(chr(rnd.randint(0x4E00, 0x9FFF)) for _ in range(n)),
        "placeholders": "".join(rnd.choice("xX×_＿【】") for _ in range(n)),
        "open quotes": "“" * n,
        "open titles": "《" * n,
        "months": "3月" * (n // 2),
        "fractions": "三分之" * (n // 3),
        "digits and spaces": "1 " * (n // 2),
        "phone-like": "13812345678" * (n // 11),
    }
