"""Trove's Lambda layers, built from manylinux wheels without Docker (`make layers`)."""
