"""The long-running process: the scheduler (one job per source), signals and reload,
alarms behind /healthz, and the Prometheus metrics.

Interface: `runner.Service`.
"""
