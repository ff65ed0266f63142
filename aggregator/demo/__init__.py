"""`aggregator demo`: sample press offices on loopback and the service reading them."""
