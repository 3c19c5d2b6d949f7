"""Pure logic of the collector: redemption state, aggregate deltas, limit decisions.

Plain data in, decisions out; nothing here touches a database, a broker or a clock.
"""
