"""Offline risk work (run by `credlift loanbook|scorecard|study`, never at decision time): the synthetic loan book,
the scorecard's training and backtest, the credential study and its report, fairness and inclusion, the decision
benchmark. The product reads only what these write (tools/risk/models/, knowledge/policy/credential_evidence.yaml)."""
