"""aggregator.service"""
