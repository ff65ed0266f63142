"""aggregator.core"""
