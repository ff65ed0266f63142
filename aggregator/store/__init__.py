"""aggregator.store"""
