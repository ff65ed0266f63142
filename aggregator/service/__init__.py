"""The long-running process: the scheduler (one job per source), signals and reload;
its alarms and metrics live in `aggregator.observe`.

Interface: `runner.Service`.
"""
