"""aggregator.config"""
