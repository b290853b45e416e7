"""Test media made on the fly by real encoders (see generate.py): no binary files in the repository."""
