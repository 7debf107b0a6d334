-- CustomerFeatures v2 (issue 11): the features PaymentEvent v2's device id and the location make.
-- Nullable: decisions of v1 payments (and every row before this release) have neither.
ALTER TABLE fraud_decisions
    ADD COLUMN new_device                 boolean,
    ADD COLUMN km_per_hour_since_previous double precision;

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
       km_per_hour_since_previous
  FROM fraud_decisions
 ORDER BY customer_id, event_time DESC, transaction_id DESC;
