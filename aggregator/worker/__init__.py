"""aggregator.worker"""
