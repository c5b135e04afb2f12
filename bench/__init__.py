"""The benchmark suite behind `make bench` (see bench/README.md); not part of the product."""
