"""Commands that act on a built warehouse: publish the analysts' copy, export the dataset, read the
data-quality report."""
