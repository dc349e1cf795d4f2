"""The words of a statement and a digest, in each locale the product writes (en, zh-CN)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Commission statement",
        "rep": "Rep",
        "period": "Period",
        "as_of": "As of",
        "summary": "Summary",
        "revenue": "Revenue",
        "quota": "Quota",
        "attainment": "Attainment",
        "tier_commission": "Tier commission",
        "bonuses": "Bonuses",
        "clawbacks": "Clawbacks",
        "payout": "Payout",
        "arithmetic": "How the payout is worked out",
        "credited": "Deals and orders credited",
        "date": "Date",
        "kind": "Kind",
        "reference": "Reference",
        "customer": "Customer",
        "product": "Product",
        "amount": "Amount",
        "order": "Order",
        "deal": "Won deal",
        "refund": "Refund",
        "total": "Total",
        "counted": "In revenue",
        "counted_note": "In revenue: a refund clawed back from its sale is taken back as a "
                        "clawback instead, so it does not lower revenue as well.",
        "no_quota": "none",
        "no_sales": "No sales were credited to you in this period, so there is no payout.",
        "private": "Private: this statement is for {rep} only.",
    },
    "zh-CN": {
        "title": "佣金结算单",
        "rep": "销售",
        "period": "周期",
        "as_of": "统计日期",
        "summary": "汇总",
        "revenue": "收入",
        "quota": "定额",
        "attainment": "完成率",
        "tier_commission": "阶梯佣金",
        "bonuses": "奖金",
        "clawbacks": "追回",
        "payout": "应付佣金",
        "arithmetic": "佣金计算过程",
        "credited": "计入的交易和订单",
        "date": "日期",
        "kind": "类型",
        "reference": "编号",
        "customer": "客户",
        "product": "产品",
        "amount": "金额",
        "order": "订单",
        "deal": "赢单",
        "refund": "退款",
        "total": "合计",
        "counted": "计入收入",
        "counted_note": "计入收入：已从原销售追回佣金的退款以追回方式扣除，不再重复冲减收入。",
        "no_quota": "无",
        "no_sales": "本周期没有计入您的销售，因此没有佣金。",
        "private": "保密：本结算单仅供 {rep} 查看。",
    },
}


def labels_for(locale: str) -> dict[str, str]:
    """The labels of a locale (`en` when the locale is not one the product writes)."""
    return LABELS.get(locale, LABELS["en"])
