"""What the process tells about itself: alarms behind /healthz and Prometheus metrics.
Both the service (which records) and the web edge (which serves them) use it, so neither
imports the other.

Interfaces: `alarms.Alarms`, `metrics.Metrics`.
"""
