-- CustomerFeatures v4 (issue 11, model rules-v3): the payment's merchant and issuer decline, whether
-- the merchant is new to the customer, and the merchant's recent payments and risk, its typical
-- amount. Nullable: earlier rows have none.
ALTER TABLE fraud_decisions
    ADD COLUMN merchant_id           text,
    ADD COLUMN payment_declined      boolean,
    ADD COLUMN new_merchant          boolean,
    ADD COLUMN merchant_payments_30m integer,
    ADD COLUMN merchant_risky_30m    integer,
    ADD COLUMN merchant_risk_score   double precision,
    ADD COLUMN amount_vs_merchant    double precision;

-- A merchant's recent decisions, for the analyst who sees merchant_risk fire.
CREATE INDEX fraud_decisions_merchant_time ON fraud_decisions (merchant_id, event_time DESC);

-- The offline twin of Redis keeps every feature: the view gains the new columns (appended, as
-- CREATE OR REPLACE VIEW requires).
CREATE OR REPLACE VIEW customer_latest_features AS
SELECT DISTINCT ON (customer_id)
       customer_id,
       transaction_id,
       event_time,
       amount,
       payments_last_5m,
       payments_last_1h,
       amount_sum_24h,
       seconds_since_previous,
       hour_of_day,
       unusual_hour,
       history_count,
       amount_mean,
       amount_stddev,
       amount_zscore,
       new_device,
       km_per_hour_since_previous,
       km_from_home,
       payments_last_2m_excess,
       hours_from_usual,
       merchant_id,
       payment_declined,
       new_merchant,
       merchant_payments_30m,
       merchant_risky_30m,
       merchant_risk_score,
       amount_vs_merchant
  FROM fraud_decisions
 ORDER BY customer_id, event_time DESC, transaction_id DESC;
