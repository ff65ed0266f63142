"""aggregator.publish"""
