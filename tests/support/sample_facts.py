"""One year's facts of a power-supply company's union, as the JSON body of `POST /api/v1/drafts` takes them
(the load benches send it over and over)."""

from __future__ import annotations

from typing import Any

ENTERPRISE_FACTS: dict[str, Any] = {
    "org": "XX市供电公司", "year": 2024, "org_type": "企业", "superior": "市总工会和公司党委",
    "items": ["召开三届二次职工代表大会，审议通过集体合同", "全年走访慰问困难职工家庭32户，发放慰问金6.4万元",
              "组织职工技能比武3场，参赛职工126人次", "职工书屋新增图书800册", "举办职工篮球赛，参与职工300余人",
              "开展安康杯竞赛，排查隐患45处"],
    "shortcomings": ["职工书屋利用率不高"], "plans": ["开展第二届职工技能运动会"],
}
