"""aggregator.pipeline"""
