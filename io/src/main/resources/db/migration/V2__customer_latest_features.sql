-- The offline twin of the Redis feature store: each customer's features as of their newest
-- payment, newest meaning the latest event time and, within one millisecond, the greatest
-- transaction id (the same order the Redis compare-and-set script uses).
CREATE INDEX fraud_decisions_customer_latest
    ON fraud_decisions (customer_id, event_time DESC, transaction_id DESC);

CREATE VIEW customer_latest_features AS
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
       amount_zscore
  FROM fraud_decisions
 ORDER BY customer_id, event_time DESC, transaction_id DESC;
