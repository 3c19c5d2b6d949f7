"""``python -m promoflow_usage_collector <command>``: see :mod:`.entrypoints.cli`."""

from promoflow_usage_collector.entrypoints.cli import main

if __name__ == "__main__":
    main()
