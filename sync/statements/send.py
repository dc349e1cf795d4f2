"""E-mail each rep their own statement (`salesops statements --send`)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from sync.mail import Attachment, SmtpServer, build_message
from sync.statements.figures import StatementFile
from sync.statements.labels import labels_for
from sync.statements.pdf import money

SUBJECT = {"en": "Your commission statement for {period}", "zh-CN": "您的佣金结算单（{period}）"}
BODY = {
    "en": "Hello {rep},\n\nAttached is your commission statement for {period}: payout "
          "{currency} {payout}.\nIt is for you only; reply to your manager with any question.\n",
    "zh-CN": "{rep}，您好：\n\n附件是您 {period} 的佣金结算单：应付佣金 {currency} {payout}。\n"
             "本结算单仅供您本人查看，如有疑问请联系您的经理。\n",
}


def send_statements(
    files: Sequence[StatementFile], server: SmtpServer, sender: str
) -> tuple[list[str], list[str]]:
    """Send each statement to its rep's Team `Email`: (reps sent to, reps with no Email)."""
    sent, unsent = [], []
    for item in files:
        statement = item.statement
        language = item.locale if item.locale in SUBJECT else "en"
        if not statement.email:
            unsent.append(statement.rep)
            continue
        words = {"rep": statement.rep, "period": statement.period,
                 "currency": statement.currency, "payout": money(statement.payout)}
        text = BODY[language].format(**words)
        html = "<p>" + escape(text).replace("\n\n", "</p><p>").replace("\n", "<br>") + "</p>"
        message = build_message(
            sender, [statement.email], SUBJECT[language].format(**words), text,
            html=f"<html><body><h3>{labels_for(language)['title']}</h3>{html}</body></html>",
            attachments=[Attachment(item.path.name, item.path.read_bytes())],
        )
        server.send(message)
        sent.append(statement.rep)
    return sent, unsent
