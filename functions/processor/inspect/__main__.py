"""`python -m functions.processor.inspect`: the inspection worker (worker.py), started by budget.py."""

from functions.processor.inspect.worker import main

main()
