"""aggregator.fetch"""
