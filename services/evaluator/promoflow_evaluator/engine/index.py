"""The promotion index: built once per snapshot, so per-cart work follows the cart.

:meth:`PromotionIndex.build` parses every promotion once (:mod:`.parse`) into its evaluation
order (stage, priority, code) and files it under every product and category (descendants
included) that can make it apply: its scope, its rule's products and item sets, its
conditions. Promotions that can apply to any cart (scope ``all`` with nothing narrower, e.g.
a cart-level percent, cashback, payment discount or threshold tier) are filed as "always".
:meth:`PromotionIndex.candidates` then unions the entries of the cart's products and categories
with "always" and returns them in evaluation order. "Always" promotions
that target a list of brands are filed under those brands and found through the store's brand
or the cart lines' brands. Promotions more than :data:`HORIZON_DAYS` days outside their
validity dates are left out. A promotion that is not a candidate is not reported in
``not_applied``: it could not apply to this cart (no product, category or brand of it is in
the cart, or it is far from its dates).

:meth:`PromotionIndex.with_changes` derives a new index from an existing one plus upserted and
removed promotions, parsing only what changed (see its docstring). Ranks (``Promo.rank``) are
integers with gaps (:data:`RANK_STEP`) so a promotion can be inserted between two others
without renumbering them; only their order matters.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import replace
from operator import attrgetter
from uuid import UUID

from promoflow_contracts.promotion import CompiledPromotion
from promoflow_evaluator.engine.cart import Cart
from promoflow_evaluator.engine.model import (
    BuyGetRule,
    ComboRule,
    FreeItemRule,
    ItemMatcher,
    MixMatchRule,
    PackageRule,
    Promo,
    TierRule,
    UpsellRule,
)
from promoflow_evaluator.engine.parse import Descendants, descendant_map, parse_promotion, sort_key

#: Gap between the ranks of neighbouring promotions after a full build.
RANK_STEP = 1 << 20

_RANK = attrgetter("rank")
SortKey = tuple[int, int, str, str]
Table = dict[int, tuple[Promo, ...]]


def _keys(promo: Promo) -> tuple[set[int], set[int], bool]:
    """Products and categories that can make ``promo`` apply, and whether it can apply to any
    cart."""
    products: set[int] = set()
    categories: set[int] = set()
    scope = promo.scope
    rule = promo.rule
    narrowed = False

    def add(items: ItemMatcher | None) -> None:
        if items is not None:
            products.update(items.product_ids)
            categories.update(items.category_ids)

    if isinstance(rule, BuyGetRule):
        narrowed = rule.buy_items is not None or rule.get_items is not None
        add(rule.buy_items)
        add(rule.get_items)
    elif isinstance(rule, ComboRule):
        narrowed = True
        products.update(pid for pid, _ in rule.items)
    elif isinstance(rule, FreeItemRule):
        narrowed = rule.trigger_product is not None
        products.add(rule.free_product)
        if rule.trigger_product is not None:
            products.add(rule.trigger_product)
    elif isinstance(rule, PackageRule):
        narrowed = True
        for slot in rule.slots:
            if slot.product_id is not None:
                products.add(slot.product_id)
            add(slot.category)
    elif isinstance(rule, MixMatchRule):
        narrowed = rule.items is not None
        add(rule.items)
    elif isinstance(rule, UpsellRule):
        narrowed = True
        products.update((rule.required_product, rule.upsell_product))
    elif isinstance(rule, TierRule):
        for tier in rule.tiers:
            if tier.free_product is not None:
                products.add(tier.free_product)
    for cond in promo.conditions:
        narrowed = True
        add(cond.items)
    if not scope.applies_to_all:
        narrowed = True
        add(scope.items)
    return products, categories, not narrowed


def _filing(promo: Promo) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...], bool]:
    """Where ``promo`` is filed: (products, categories, brands, always)."""
    products, categories, anywhere = _keys(promo)
    if anywhere:
        brands = promo.targeting.brands
        if brands is None:
            return (), (), (), True
        return (), (), tuple(brands), False
    return tuple(products), tuple(categories), (), False


def _place(
    order: list[tuple[SortKey, UUID]],
    position: int,
    parsed: dict[UUID, Promo],
    ranks: dict[UUID, int],
) -> int | None:
    """A rank for the new promotion at ``order[position]``, strictly between its placed
    neighbours and leaving room for the new ones placed after it (None: no room left).
    New promotions are placed in evaluation order, so the one below is always placed."""

    def placed(pos: int) -> int | None:
        pid = order[pos][1]
        promo = parsed.get(pid)
        return promo.rank if promo is not None else ranks.get(pid)

    low = placed(position - 1) if position > 0 else None
    above = position + 1
    while above < len(order) and placed(above) is None:
        above += 1
    high = placed(above) if above < len(order) else None
    slots = above - position + 1
    if low is None and high is None:
        low, high = 0, slots * RANK_STEP
    elif low is None:
        assert high is not None
        low = high - slots * RANK_STEP
    elif high is None:
        high = low + slots * RANK_STEP
    rank = low + (high - low) // slots
    return rank if low < rank < high else None


#: Promotions that ended (or start) more than this many days from the cart's date are not
#: candidates; closer ones are reported ``expired``/``not_started``.
HORIZON_DAYS = 7

#: Length of the periods the tables are narrowed to (see :meth:`PromotionIndex._bucket`).
BUCKET_DAYS = 32
#: Narrowed periods kept per index before they are dropped and made again on demand.
MAX_BUCKETS = 256
#: (by product, by category, by brand, always), holding only the promotions within
#: :data:`HORIZON_DAYS` of some day of one period
Bucket = tuple[Table, Table, Table, tuple[Promo, ...]]


def _narrow(table: Table, first: int, last: int) -> Table:
    """``table`` without the promotions that start after ``first`` or end before ``last``
    (ordinals); entries left empty are dropped."""
    out: Table = {}
    for key, promos in table.items():
        kept = tuple([p for p in promos if p.start_day <= first and p.end_day >= last])
        if kept:
            out[key] = kept
    return out


class PromotionIndex:
    """Candidates by product, category, brand ("always" ones) and date, in evaluation order
    (see the module docstring).

    Build with :meth:`build` (or derive with :meth:`with_changes`); immutable afterwards and
    safe to share between threads.
    """

    __slots__ = (
        "_always",
        "_buckets",
        "_by_brand",
        "_by_category",
        "_by_product",
        "_contrib",
        "_contributors",
        "_descendants",
        "_docs",
        "_lookups",
        "_named",
        "_order",
        "_parsed",
        "_promotions",
        "_shared",
    )

    def __init__(self) -> None:
        #: the kept document per promotion id
        self._docs: dict[UUID, CompiledPromotion] = {}
        self._parsed: dict[UUID, Promo] = {}
        #: (sort key, id) in evaluation order
        self._order: list[tuple[SortKey, UUID]] = []
        #: each promotion's ``CategoryRef`` descendants, their union, and who gave them
        self._contrib: dict[UUID, Descendants] = {}
        self._descendants: Descendants = {}
        self._contributors: dict[int, frozenset[UUID]] = {}
        #: category id -> promotions whose parse looked up its descendants, and back
        self._named: dict[int, frozenset[UUID]] = {}
        self._lookups: dict[UUID, frozenset[int]] = {}
        self._shared: dict[object, object] = {}
        self._by_product: Table = {}
        self._by_category: Table = {}
        self._by_brand: Table = {}
        self._always: tuple[Promo, ...] = ()
        self._promotions: tuple[Promo, ...] | None = None
        #: the tables narrowed to one :data:`BUCKET_DAYS` period (see :meth:`_bucket`)
        self._buckets: dict[int, Bucket] = {}

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, promotions: Iterable[CompiledPromotion]) -> PromotionIndex:
        """Parse and index a snapshot. A promotion id given twice keeps its highest version.

        Cost is linear in the snapshot (≈ 0.1-0.2 ms per promotion); for a few changes use
        :meth:`with_changes`.
        """
        latest: dict[UUID, CompiledPromotion] = {}
        for promo in promotions:
            kept = latest.get(promo.id)
            if kept is None or promo.version > kept.version:
                latest[promo.id] = promo
        index = cls()
        index._docs = latest
        index._order = sorted((sort_key(p), p.id) for p in latest.values())
        index._contrib = {pid: descendant_map([doc]) for pid, doc in latest.items()}
        contributors: dict[int, set[UUID]] = {}
        for pid, contrib in index._contrib.items():
            for cid in contrib:
                contributors.setdefault(cid, set()).add(pid)
        index._contributors = {cid: frozenset(ids) for cid, ids in contributors.items()}
        index._descendants = descendant_map(latest[pid] for _, pid in index._order)
        named: dict[int, set[UUID]] = {}
        for position, (_, pid) in enumerate(index._order):
            index._parse(pid, (position + 1) * RANK_STEP)
            for cid in index._lookups[pid]:
                named.setdefault(cid, set()).add(pid)
        index._named = {cid: frozenset(ids) for cid, ids in named.items()}
        index._file_all()
        return index

    def _parse(self, pid: UUID, rank: int) -> Promo:
        looked: set[int] = set()
        promo = parse_promotion(self._docs[pid], rank, self._descendants, self._shared, looked)
        self._lookups[pid] = frozenset(looked)
        self._parsed[pid] = promo
        return promo

    def _file_all(self) -> None:
        by_product: dict[int, list[Promo]] = {}
        by_category: dict[int, list[Promo]] = {}
        by_brand: dict[int, list[Promo]] = {}
        always: list[Promo] = []
        for _, pid in self._order:
            promo = self._parsed[pid]
            products, categories, brands, anywhere = _filing(promo)
            if anywhere:
                always.append(promo)
            for table, keys in ((by_product, products), (by_category, categories)):
                for key in keys:
                    table.setdefault(key, []).append(promo)
            for key in brands:
                by_brand.setdefault(key, []).append(promo)
        self._by_product = {k: tuple(v) for k, v in by_product.items()}
        self._by_category = {k: tuple(v) for k, v in by_category.items()}
        self._by_brand = {k: tuple(v) for k, v in by_brand.items()}
        self._always = tuple(always)

    def with_changes(
        self,
        upserted: Iterable[CompiledPromotion] = (),
        removed: Iterable[UUID] = (),
    ) -> PromotionIndex:
        """A new index: this one without the ``removed`` ids, then with the ``upserted``
        documents. The result equals :meth:`build` of the resulting set of documents; this
        index is not modified (evaluations running on it are not disturbed).

        Rules: removals apply first, so an id both removed and upserted ends up with the
        upserted document. An upserted document replaces the one held for its id unless that
        one has a higher ``version`` (a late, stale delivery is ignored); within ``upserted``
        an id given twice keeps its highest version. Removing an unknown id is not an error.

        Cost follows the change: only the upserted promotions are parsed, plus, when an
        upsert or removal changes the descendants known for a category (``CategoryRef``
        descendants are gathered over the whole snapshot, see :mod:`.parse`), the promotions
        naming that category. The lookup tables are copied (a dictionary copy, C speed) and
        only the entries of the touched products, categories and brands are rebuilt. When
        two neighbours in evaluation order have no rank left between them, every promotion
        gets a fresh rank (rare, linear but without parsing).
        """
        docs = dict(self._docs)
        changed: set[UUID] = set()
        for pid in removed:
            if pid in docs:
                del docs[pid]
                changed.add(pid)
        incoming: dict[UUID, CompiledPromotion] = {}
        for doc in upserted:
            kept_in = incoming.get(doc.id)
            if kept_in is None or doc.version > kept_in.version:
                incoming[doc.id] = doc
        for pid, doc in incoming.items():
            held = docs.get(pid)
            if held is not None and held.version > doc.version:
                continue
            docs[pid] = doc
            changed.add(pid)
        if not changed:
            return self
        new = PromotionIndex()
        new._docs = docs
        new._shared = self._shared if len(self._shared) < 4 * len(docs) + 64 else {}
        new._parsed = dict(self._parsed)
        old_promos: list[Promo] = [self._parsed[pid] for pid in changed if pid in self._parsed]
        for pid in changed:
            new._parsed.pop(pid, None)

        # Descendants known per category: recompute the categories the changed ones touch.
        new._contrib = dict(self._contrib)
        contributors = dict(self._contributors)
        touched_categories: set[int] = set()
        for pid in changed:
            for cid in new._contrib.pop(pid, {}):
                touched_categories.add(cid)
                contributors[cid] = contributors[cid] - {pid}
            if pid in docs:
                contrib = descendant_map([docs[pid]])
                new._contrib[pid] = contrib
                for cid in contrib:
                    touched_categories.add(cid)
                    contributors[cid] = contributors.get(cid, frozenset()) | {pid}
        new._descendants = dict(self._descendants)
        moved: set[int] = set()
        for cid in touched_categories:
            ids = contributors.get(cid, frozenset())
            if not ids:
                contributors.pop(cid, None)
            union: set[int] = set()
            for pid in ids:
                union.update(new._contrib[pid][cid])
            if ids:
                value = frozenset(union)
                if self._descendants.get(cid) != value:
                    moved.add(cid)
                new._descendants[cid] = value
            elif cid in new._descendants:
                moved.add(cid)
                del new._descendants[cid]
        new._contributors = contributors
        reparse = {pid for cid in moved for pid in self._named.get(cid, ()) if pid in docs}
        reparse -= changed
        old_promos.extend(self._parsed[pid] for pid in reparse)
        for pid in reparse:
            del new._parsed[pid]

        # Evaluation order: drop the changed ids, insert the new documents.
        order = list(self._order)
        for pid in changed:
            if pid in self._docs:
                del order[bisect_left(order, (sort_key(self._docs[pid]), pid))]
        inserted: list[tuple[SortKey, UUID]] = []
        for pid in changed:
            if pid in docs:
                key = (sort_key(docs[pid]), pid)
                order.insert(bisect_left(order, key), key)
                inserted.append(key)
        new._order = order
        ranks: dict[UUID, int] = {pid: self._parsed[pid].rank for pid in reparse}
        renumber = False
        for key in sorted(inserted):
            rank = _place(order, bisect_left(order, key), new._parsed, ranks)
            if rank is None:
                renumber = True
                break
            ranks[key[1]] = rank
        if renumber:
            ranks = {pid: (pos + 1) * RANK_STEP for pos, (_, pid) in enumerate(order)}

        # Parse what changed; keep track of the categories each parse looked up.
        new._named = dict(self._named)
        new._lookups = dict(self._lookups)
        for pid in changed | reparse:
            for cid in new._lookups.pop(pid, ()):
                left = new._named[cid] - {pid}
                if left:
                    new._named[cid] = left
                else:
                    del new._named[cid]
        added: list[Promo] = []
        for pid in sorted(changed | reparse):
            if pid in docs:
                added.append(new._parse(pid, ranks[pid]))
                for cid in new._lookups[pid]:
                    new._named[cid] = new._named.get(cid, frozenset()) | {pid}
        if renumber:
            for pid, promo in new._parsed.items():
                if promo.rank != ranks[pid]:
                    new._parsed[pid] = replace(promo, rank=ranks[pid])
            new._file_all()
        else:
            new._refile(self, old_promos, added)
        return new

    def _refile(self, old: PromotionIndex, dropped: list[Promo], added: list[Promo]) -> None:
        """The tables of ``old`` without ``dropped`` and with ``added``; only the touched
        entries are rebuilt."""
        gone = set(dropped)
        tables = (dict(old._by_product), dict(old._by_category), dict(old._by_brand))
        adds: tuple[dict[int, list[Promo]], ...] = ({}, {}, {})
        always_changed = False
        for promo in dropped:
            *keys, anywhere = _filing(promo)
            always_changed |= anywhere
            for extra, group in zip(adds, keys, strict=True):
                for key in group:
                    extra.setdefault(key, [])
        for promo in added:
            *keys, anywhere = _filing(promo)
            always_changed |= anywhere
            for extra, group in zip(adds, keys, strict=True):
                for key in group:
                    extra.setdefault(key, []).append(promo)
        for table, extra in zip(tables, adds, strict=True):
            for key, promos in extra.items():
                merged = [p for p in table.get(key, ()) if p not in gone] + promos
                if merged:
                    table[key] = tuple(sorted(merged, key=_RANK))
                else:
                    table.pop(key, None)
        self._by_product, self._by_category, self._by_brand = tables
        if always_changed:
            kept = [p for p in old._always if p not in gone]
            kept.extend(p for p in added if _filing(p)[3])
            self._always = tuple(sorted(kept, key=_RANK))
        else:
            self._always = old._always

    # ------------------------------------------------------------------ reading

    @property
    def promotions(self) -> tuple[Promo, ...]:
        """Every parsed promotion, in evaluation order."""
        if self._promotions is None:
            self._promotions = tuple(self._parsed[pid] for _, pid in self._order)
        return self._promotions

    @property
    def documents(self) -> tuple[CompiledPromotion, ...]:
        """The kept documents (one per id), in evaluation order."""
        return tuple(self._docs[pid] for _, pid in self._order)

    def __len__(self) -> int:
        return len(self._docs)

    def candidates(self, cart: Cart) -> list[Promo]:
        """Promotions that may apply to ``cart``, in evaluation order: those filed under one of
        its products or categories, the "always" ones (for any brand, or for the store's or a
        line's brand), within :data:`HORIZON_DAYS` of their validity dates."""
        day = cart.local_date.toordinal()
        number = day // BUCKET_DAYS
        bucket = self._buckets.get(number)
        if bucket is None:
            bucket = self._bucket(number)
        by_product, by_category, by_brand, always = bucket
        found: set[Promo] = set(always)
        for key in cart.product_keys:
            hit = by_product.get(key)
            if hit is not None:
                found.update(hit)
        for key in cart.category_keys:
            hit = by_category.get(key)
            if hit is not None:
                found.update(hit)
        for key in cart.brand_keys:
            hit = by_brand.get(key)
            if hit is not None:
                found.update(hit)
        first = day + HORIZON_DAYS
        last = day - HORIZON_DAYS
        return sorted([p for p in found if p.start_day <= first and p.end_day >= last], key=_RANK)

    def _bucket(self, number: int) -> Bucket:
        """The tables narrowed to the promotions within :data:`HORIZON_DAYS` of some day of
        period ``number`` (days ``number * BUCKET_DAYS`` to the next period, as ordinals), so
        a cart's candidates are gathered from fewer than the whole tables (the exact date
        filter still runs on them). Made on first use and kept on the index (an index is
        replaced, not changed, when promotions change); a benign race between threads makes
        the same value twice."""
        first = number * BUCKET_DAYS + BUCKET_DAYS - 1 + HORIZON_DAYS
        last = number * BUCKET_DAYS - HORIZON_DAYS
        always = tuple([p for p in self._always if p.start_day <= first and p.end_day >= last])
        bucket: Bucket = (
            _narrow(self._by_product, first, last),
            _narrow(self._by_category, first, last),
            _narrow(self._by_brand, first, last),
            always,
        )
        if len(self._buckets) >= MAX_BUCKETS:
            self._buckets = {}
        self._buckets[number] = bucket
        return bucket
