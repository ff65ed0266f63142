"""aggregator.normalize"""
