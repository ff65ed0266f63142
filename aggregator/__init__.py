"""Feed aggregator for the campaign of Germany's kommunale Jobcenter."""

__version__ = "0.1.0"
