"""The approval line: the probability of default above which an increase is expected to lose money.

Over the scorecard's 12-month horizon, one yuan of an increase that the account draws earns the product's net
margin if the account repays, and loses `loss_given_default` of it if the account defaults:

    expected profit = (1 - PD) * margin - PD * LGD,   margin = interest_yield - funding_cost - operating_cost
    break-even PD   = margin / (margin + LGD)

The same drawn yuan earns the margin and bears the loss, so the exposure cancels. The policy's last band that
still gives an increase ends at the break-even PD rounded down to 0.1 percentage point (never above it); the
parameters are in knowledge/policy/parameters.yaml (`risk_appetite`), the rule and its numbers in
docs/risk-line.md.
"""
from __future__ import annotations

import math

from credlift.tools.policy_parameters import PolicyParameters, RiskAppetite, load_policy_parameters

LINE_STEP = 0.001   # the line is rounded down to 0.1 percentage point


def net_margin(appetite: RiskAppetite) -> float:
    """What one drawn yuan earns in a year after funding and operating costs."""
    return appetite.interest_yield - appetite.funding_cost - appetite.operating_cost


def break_even_pd(appetite: RiskAppetite) -> float:
    """The PD at which the expected loss on a drawn yuan equals the margin it earns."""
    margin = net_margin(appetite)
    if margin <= 0:
        return 0.0
    return margin / (margin + appetite.loss_given_default)


def line_from_appetite(appetite: RiskAppetite) -> float:
    """The break-even PD rounded down to LINE_STEP (a small tolerance keeps 0.117 from flooring to 0.116)."""
    return math.floor(break_even_pd(appetite) / LINE_STEP + 1e-9) * LINE_STEP


def approval_line(params: PolicyParameters | None = None) -> float:
    """The top of the last PD band that still gives an increase (parameters.yaml pd_scaling)."""
    params = params or load_policy_parameters()
    return max((b.max_pd for b in params.pd_scaling if b.factor > 0), default=0.0)
