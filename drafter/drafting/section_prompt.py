"""The prompt for one section: its facts, the outline around it, and masked exemplars within a token budget."""

from __future__ import annotations

from typing import Any

from ..corpus.tokens import count_tokens
from ..models import Draft, Section, Source
from ..settings import Settings
from .exemplars import heading_label, mask_numbers
from .generation import Message
from .outline import cn_number, staff_word
from .prompts import render

EXEMPLAR_CHARS = 600
KIND_LABEL = {"opening": "开篇段落", "body": "正文部分", "shortcomings": "存在的不足", "plans": "下一步工作打算",
              "closing": "结尾段落"}
GUIDANCE = {
    "opening": "写一段开篇：年度、在谁的正确领导下、指导思想、围绕的中心工作、总体成效，最后以“现将全年工作总结如下：”结束。不要写标题。",
    "body": "先用一两句概括本部分工作，再把每条事实写成完整的句子，可分两三段；不要写本部分标题，不要加事实之外的数字。",
    "shortcomings": "用“一是……；二是……”的句式写两到四点不足，谦虚、概括；如果没有给出事实，就写概括性的不足，不得含数字。",
    "plans": "用“一是……；二是……”的句式写三到六点明年打算；没有给出事实的，写概括性的打算，不得含数字。",
    "closing": "写一小段结尾，表明决心，不含数字。",
}


def section_messages(settings: Settings, draft: Draft, section: Section, sources: list[Source], instruction: str,
                     encoding: Any) -> tuple[list[Message], list[Source]]:
    """The prompt, and the exemplars it really carries (the token budget may have dropped some)."""
    facts = draft.facts
    system = render(settings.prompts_dir, "system", org_type=facts.org_type)
    outline = "\n".join(s.heading or KIND_LABEL[s.kind] for s in draft.sections)
    fact_lines = "\n".join(f"- {f}" for f in section.facts) or "（本节没有指定事实，不得出现任何数字）"
    if section.kind == "opening":
        fact_lines = "\n".join(f"- {x}" for x in (f"年度：{facts.year}年", f"单位：{facts.org}",
                                                  f"上级组织：{facts.superior or '（未提供）'}", facts.notes) if x)

    def build(exemplars: list[Source], limit: int) -> str:
        # The corpus's titles and headings carry years and placeholders too: label passages neutrally.
        ex = "\n\n".join(f"【范文《片段{cn_number(n)}》· {heading_label(s.section) or KIND_LABEL[section.kind]}】\n"
                         f"{mask_numbers(s.text)[:limit]}" for n, s in enumerate(exemplars, 1)) or "（无）"
        return render(settings.prompts_dir, "section", org=facts.org, org_type=facts.org_type, year=facts.year,
                      superior=facts.superior or "上级工会", staff=staff_word(facts.org_type), outline=outline,
                      number=section.index + 1, heading=section.heading or KIND_LABEL[section.kind],
                      kind_label=KIND_LABEL[section.kind], facts=fact_lines, exemplars=ex,
                      guidance=GUIDANCE[section.kind],
                      instruction=f"修改要求：{instruction}" if instruction else "")

    # Token budget: exemplars are trimmed first (shorter, then fewer); the facts never are.
    exemplars, limit = list(sources), EXEMPLAR_CHARS
    user = build(exemplars, limit)
    while count_tokens(system + user, encoding) > settings.max_prompt_tokens and exemplars:
        if limit > 200:
            limit -= 200
        else:
            exemplars.pop()
        user = build(exemplars, limit)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], exemplars
