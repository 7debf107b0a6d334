-- CustomerFeatures v3 (issue 11, model rules-v2): distance from home, the burst against the
-- customer's own pace, hours from the customer's usual hours. Nullable: earlier rows have none.
ALTER TABLE fraud_decisions
    ADD COLUMN km_from_home            double precision,
    ADD COLUMN payments_last_2m_excess double precision,
    ADD COLUMN hours_from_usual        integer;

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
       hours_from_usual
  FROM fraud_decisions
 ORDER BY customer_id, event_time DESC, transaction_id DESC;
