"""`credlift bench`: time to decision, throughput, memory, and peer comparisons, written to one report.

    from credlift.evals.bench.run import BenchConfig, run_bench
"""
