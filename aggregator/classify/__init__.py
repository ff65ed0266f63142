"""aggregator.classify"""
