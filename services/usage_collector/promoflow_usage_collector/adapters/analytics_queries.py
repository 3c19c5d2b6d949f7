"""SQL of the analytics reports (read-only), over the aggregate tables of ``usage``.

Parameters: ``:date_from``/``:date_to`` (inclusive business dates), ``:p`` (a promotion id),
``:ids`` (uuid array), ``:customer``. ``{ids_filter}``, ``{flt}``, ``{order}`` and ``{limit}``
are filled in by :mod:`promoflow_usage_collector.analytics_service` with fixed strings, never
with user input.

Distinct customers are counted at query time from ``usage.redemptions`` (the redemptions that
count: recorded and not voided, with a customer id); the ingest path no longer maintains
``usage.customer_days`` (left in the schema, no longer written or read).
"""

from __future__ import annotations

SUMMARIES = """
WITH u AS (
    SELECT promotion_id, SUM(uses) AS uses, SUM(discount) AS discount, SUM(reward) AS reward,
           SUM(gross_sales) AS gross_sales, SUM(net_sales) AS revenue
    FROM usage.promotion_daily
    WHERE business_date BETWEEN :date_from AND :date_to {ids_filter}
    GROUP BY promotion_id
), e AS (
    SELECT promotion_id, SUM(evaluated) AS evaluated, SUM(applied) AS applied,
           SUM(applied_cart_value) AS applied_cart_value,
           SUM(skipped_cart_value) AS skipped_cart_value
    FROM usage.evaluation_daily
    WHERE business_date BETWEEN :date_from AND :date_to {ids_filter}
    GROUP BY promotion_id
), c AS (
    SELECT promotion_id, COUNT(DISTINCT customer_id) AS distinct_customers
    FROM usage.redemptions
    WHERE business_date BETWEEN :date_from AND :date_to AND recorded AND NOT voided
      AND customer_id IS NOT NULL {ids_filter}
    GROUP BY promotion_id
)
SELECT COALESCE(u.promotion_id, e.promotion_id) AS promotion_id, p.code, p.name, p.brand_id,
       COALESCE(u.uses, 0) AS uses, COALESCE(u.discount, 0) AS discount,
       COALESCE(u.reward, 0) AS reward, COALESCE(u.gross_sales, 0) AS gross_sales,
       COALESCE(u.revenue, 0) AS revenue, COALESCE(c.distinct_customers, 0) AS distinct_customers,
       COALESCE(e.evaluated, 0) AS evaluated, COALESCE(e.applied, 0) AS applied,
       COALESCE(e.applied_cart_value, 0) AS applied_cart_value,
       COALESCE(e.skipped_cart_value, 0) AS skipped_cart_value,
       CASE WHEN COALESCE(e.evaluated, 0) = 0 THEN NULL
            ELSE e.applied::numeric / e.evaluated END AS rate
FROM u FULL JOIN e ON e.promotion_id = u.promotion_id
LEFT JOIN c ON c.promotion_id = COALESCE(u.promotion_id, e.promotion_id)
LEFT JOIN usage.promotions p ON p.promotion_id = COALESCE(u.promotion_id, e.promotion_id)
ORDER BY {order} promotion_id
{limit}
"""

DAILY_TIMELINE = """
SELECT COALESCE(u.business_date, e.business_date) AS business_date,
       COALESCE(u.uses, 0) AS uses, COALESCE(u.discount, 0) AS discount,
       COALESCE(u.revenue, 0) AS revenue, COALESCE(e.evaluated, 0) AS evaluated,
       COALESCE(e.applied, 0) AS applied
FROM (SELECT business_date, SUM(uses) AS uses, SUM(discount) AS discount,
             SUM(net_sales) AS revenue
      FROM usage.promotion_daily WHERE promotion_id = :p
       AND business_date BETWEEN :date_from AND :date_to GROUP BY business_date) u
FULL JOIN (SELECT business_date, SUM(evaluated) AS evaluated, SUM(applied) AS applied
      FROM usage.evaluation_daily WHERE promotion_id = :p
       AND business_date BETWEEN :date_from AND :date_to GROUP BY business_date) e
  ON e.business_date = u.business_date
ORDER BY 1
"""

SKIP_REASONS = """
SELECT reason_code, SUM(skipped) AS skipped FROM usage.evaluation_reasons
WHERE promotion_id = :p AND business_date BETWEEN :date_from AND :date_to
GROUP BY reason_code ORDER BY 2 DESC, 1
"""

LIMIT_STATUS = """
SELECT p.max_uses, p.max_uses_per_day, p.max_uses_per_customer,
       COALESCE(t.uses, 0) AS lifetime_uses
FROM usage.promotions p
LEFT JOIN usage.promotion_totals t ON t.promotion_id = p.promotion_id
WHERE p.promotion_id = :p
"""

STORES = """
WITH u AS (SELECT store_id, SUM(uses) AS uses, SUM(discount) AS discount,
                  SUM(gross_sales) AS gross_sales, SUM(net_sales) AS revenue
           FROM usage.promotion_daily
           WHERE business_date BETWEEN :date_from AND :date_to {flt}
           GROUP BY store_id),
     e AS (SELECT store_id, SUM(evaluated) AS evaluated, SUM(applied) AS applied
           FROM usage.evaluation_daily
           WHERE business_date BETWEEN :date_from AND :date_to {flt}
           GROUP BY store_id),
     c AS (SELECT store_id, COUNT(DISTINCT customer_id) AS customers
           FROM usage.redemptions
           WHERE business_date BETWEEN :date_from AND :date_to AND recorded AND NOT voided
             AND customer_id IS NOT NULL {flt}
           GROUP BY store_id)
SELECT COALESCE(u.store_id, e.store_id) AS store_id, COALESCE(u.uses, 0) AS uses,
       COALESCE(u.discount, 0) AS discount, COALESCE(u.gross_sales, 0) AS gross_sales,
       COALESCE(u.revenue, 0) AS revenue, COALESCE(c.customers, 0) AS customers,
       COALESCE(e.evaluated, 0) AS evaluated, COALESCE(e.applied, 0) AS applied
FROM u FULL JOIN e ON e.store_id = u.store_id
LEFT JOIN c ON c.store_id = COALESCE(u.store_id, e.store_id)
ORDER BY revenue DESC, uses DESC, store_id
"""

BRANDS = """
SELECT NULLIF(brand_key, '00000000-0000-0000-0000-000000000000'::uuid) AS brand_id,
       SUM(uses) AS uses, SUM(discount) AS discount, SUM(gross_sales) AS gross_sales,
       SUM(net_sales) AS revenue, COUNT(DISTINCT promotion_id) AS promotions
FROM usage.promotion_daily
WHERE business_date BETWEEN :date_from AND :date_to {flt}
GROUP BY brand_key ORDER BY revenue DESC, uses DESC, brand_key
"""

DAILY_ROWS = """
SELECT d.business_date, d.promotion_id, p.code, d.store_id,
       NULLIF(d.brand_key, '00000000-0000-0000-0000-000000000000'::uuid) AS brand_id,
       d.uses, d.discount, d.reward, d.gross_sales, d.net_sales AS revenue
FROM usage.promotion_daily d
LEFT JOIN usage.promotions p ON p.promotion_id = d.promotion_id
WHERE d.business_date BETWEEN :date_from AND :date_to
ORDER BY d.business_date, p.code, d.promotion_id, d.store_id, d.brand_key
"""

CUSTOMER_USAGE = """
SELECT k.promotion_id, COALESCE(c.uses, 0) AS uses,
       COALESCE(c.discount, 0) AS discount, c.last_redeemed_at,
       p.max_uses_per_customer
FROM unnest(CAST(:ids AS uuid[])) AS k(promotion_id)
LEFT JOIN usage.customer_usage c
  ON c.customer_id = :customer AND c.promotion_id = k.promotion_id
LEFT JOIN usage.promotions p ON p.promotion_id = k.promotion_id
"""
