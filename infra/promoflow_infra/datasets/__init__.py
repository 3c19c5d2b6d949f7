"""Readers of the real point-of-sale datasets in ``../shared/data`` (never copied into the repo).

Each reader turns one dataset into the same shapes (:mod:`.model`): a catalogue (brands, stores,
categories, products with prices as the dataset has them) and receipts (baskets of lines). The
demo importer, the POS replay and the benchmarks all read data through here, so a dataset quirk
is handled once. :func:`data_dir` finds the data; without it, :mod:`.synthetic` generates a
small stand-in so commands still work on a clone without ``../shared``.
"""
