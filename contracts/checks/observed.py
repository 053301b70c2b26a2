"""The rules of one exchange (`contracts/exchange_rules.py`), judged on every answer of the run.

They run last, over all the exchanges the other rules made; `contracts proxy` judges live traffic
with the very same functions.
"""

from __future__ import annotations

from contracts.context import Context
from contracts.exchange_rules import EXCHANGE_RULES, ExchangeRule, Served
from contracts.failures import NotExercised
from contracts.registry import rule


def _over_every_exchange(exchange_rule: ExchangeRule) -> None:
    def judge(context: Context) -> None:
        served = Served(context.target.versions, context.target.responses)
        context.judged = 0
        for exchange in context.seen:
            if id(exchange) in context.reported:
                continue  # another rule reported this answer already
            context.judged += exchange_rule.check(exchange, served)
        if not context.judged:
            raise NotExercised("no exchange of the run exercised it")

    judge.__name__ = exchange_rule.id
    rule(exchange_rule.id, exchange_rule.title, exchange_rule.section)(judge)


for _exchange_rule in EXCHANGE_RULES.values():
    _over_every_exchange(_exchange_rule)
