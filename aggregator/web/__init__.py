"""aggregator.web"""
