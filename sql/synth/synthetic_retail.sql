/* synthetic_retail
   Online-Retail-shaped transactions in the raw UCI schema (InvoiceNo, StockCode, Description,
   Quantity, InvoiceDate, UnitPrice, CustomerID, Country), so they go through `ingest` like the
   real file. Parameters: $seed, $customers (identified customers), $start (first day).
   Needs the macros of macros.sql.

   Model: each customer has a purchase rate (log-normal: a few heavy buyers, many occasional
   ones), a first purchase day (front-loaded over the year) and a churn day (exponential
   lifetime). After the first purchase, on each active day they place an invoice with
   probability rate × season(month).
   An invoice has ~20 lines (geometric); products follow a skewed popularity, prices are
   log-normal per product, quantities skewed (mostly 1–12, some wholesale). About 2% of lines
   are cancelled later in a 'C' invoice with negative quantity. A third as many anonymous
   buyers again place invoices without CustomerID. 373 days, like the real data. */
WITH
params AS (
  SELECT $seed::BIGINT AS seed, $customers::BIGINT AS customers,
         $start::TIMESTAMP AS start_ts, 373 AS days
),
customers AS MATERIALIZED (
  SELECT
    c.customer,
    c.customer > p.customers                                           AS anonymous,
    -- invoices per day while active: median ~1 per 130 days, a long right tail (log-normal)
    least(0.5, exp(-4.9 + 1.6 * synth_normal(p.seed, c.customer, 0, 1)))  AS rate,
    -- the day of the first purchase: front-loaded (many customers exist from the start)
    floor(p.days * pow(synth_uniform(p.seed, c.customer, 0, 3), 1.5))::INT AS first_day,
    -- churn: exponential lifetime after the first purchase, mean 200 days
    floor(-200 * ln(1 - synth_uniform(p.seed, c.customer, 0, 4)))::INT   AS lifetime,
    CASE WHEN synth_uniform(p.seed, c.customer, 0, 5) < 0.89 THEN 'United Kingdom'
         ELSE ['Germany', 'France', 'EIRE', 'Spain', 'Netherlands', 'Belgium', 'Switzerland',
               'Portugal', 'Australia', 'Norway'][1 + floor(synth_uniform(p.seed, c.customer, 0, 6) * 10)::INT]
    END                                                                AS country,
    -- some customers buy in bulk
    CASE WHEN synth_uniform(p.seed, c.customer, 0, 7) < 0.05 THEN 4 ELSE 1 END AS bulk
  FROM params p, range(1, p.customers + p.customers // 3 + 1) c(customer)
),
invoices AS (
  SELECT
    p.seed, cu.customer, cu.anonymous, cu.country, cu.bulk, d.day,
    p.start_ts + to_days(d.day::INT)
      + to_minutes((7 * 60 + floor(synth_uniform(p.seed, cu.customer, d.day, 11) * 12 * 60))::BIGINT)
                                                                       AS invoice_ts,
    1 + floor(-19 * ln(1 - synth_uniform(p.seed, cu.customer, d.day, 12)))::INT AS n_lines
  FROM params p, customers cu, range(p.days) d(day)
  WHERE d.day = cu.first_day
     OR (d.day > cu.first_day AND d.day < cu.first_day + cu.lifetime
         AND synth_uniform(p.seed, cu.customer, d.day, 10)
             < cu.rate * synth_season(month(p.start_ts + to_days(d.day::INT))))
),
numbered AS MATERIALIZED (
  SELECT *, 536364 + row_number() OVER (ORDER BY invoice_ts, customer) AS invoice_number
  FROM invoices
  ORDER BY invoice_number
),
lines AS (
  SELECT
    n.*, l.line,
    -- product popularity: skewed towards low ids
    floor(3800 * pow(synth_uniform(n.seed, n.invoice_number, l.line, 20), 2))::INT AS product,
    synth_uniform(n.seed, n.invoice_number, l.line, 21)                           AS q
  FROM numbered n, range(n.n_lines) l(line)
),
sales AS (
  -- no join below this point: rows stream out in invoice order (insertion order is kept),
  -- so the file needs no final sort
  SELECT
    l.seed, l.invoice_number, l.line, l.product,
    CAST(10000 + l.product * 23 AS VARCHAR)
      || CASE WHEN l.product % 6 = 0 THEN chr((65 + (l.product // 6) % 5)::INT) ELSE '' END AS stock_code,
    upper(
      ['small', 'large', 'vintage', 'retro', 'set of 3', 'pack of 12', 'glass', 'ceramic',
       'wooden', 'paper', 'hanging', 'regency', 'french', 'jumbo', 'mini', 'heart',
       'spotty', 'floral', 'christmas', 'party'][1 + l.product % 20]
      || ' ' ||
      ['red', 'white', 'pink', 'blue', 'green', 'ivory', 'black', 'gold', 'silver',
       'pastel', 'cream', 'polkadot'][1 + (l.product // 20) % 12]
      || ' ' ||
      ['t-light holder', 'lantern', 'bag', 'cake case', 'mug', 'bunting', 'frame', 'clock',
       'doormat', 'cushion cover', 'tin', 'candle', 'coaster', 'bottle', 'wrap', 'sign'][1 + (l.product // 240) % 16]
    )                                                                  AS description,
    -- a product's price is log-normal and fixed (a hash of seed and product)
    round(greatest(0.19, least(250, exp(0.7 + 0.8 * synth_normal(l.seed, l.product, 0, 30)))), 2)
                                                                       AS unit_price,
    l.bulk * [1, 1, 2, 3, 4, 6, 6, 12, 12, 12, 24, 24, 48, 96][1 + floor(pow(l.q, 1.3) * 14)::INT] AS quantity,
    l.invoice_ts, l.customer, l.anonymous, l.country,
    -- ~2% of lines are returned 1–10 days later: a second row in a 'C' invoice
    CASE WHEN synth_uniform(l.seed, l.invoice_number, l.line, 41) < 0.02 THEN [false, true]
         ELSE [false] END AS versions
  FROM lines l
),
rows AS (
  SELECT
    s.*,
    unnest(s.versions) AS is_cancellation
  FROM sales s
)
SELECT
  CASE WHEN is_cancellation THEN 'C' ELSE '' END || invoice_number AS InvoiceNo,
  stock_code                                             AS StockCode,
  description                                            AS Description,
  (CASE WHEN is_cancellation THEN -quantity ELSE quantity END)::BIGINT AS Quantity,
  CASE WHEN is_cancellation
       THEN invoice_ts + to_days((1 + floor(synth_uniform(seed, invoice_number, line, 40) * 10))::INT)
       ELSE invoice_ts END                               AS InvoiceDate,
  unit_price                                             AS UnitPrice,
  CASE WHEN anonymous THEN NULL ELSE (12345 + customer)::DOUBLE END AS CustomerID,
  country                                                AS Country
FROM rows
WHERE InvoiceDate < (SELECT start_ts + to_days(days) FROM params)
