-- One row per scored payment: the decision and the features it was made on.
--
-- Columns rather than one JSONB document: the types are checked on the way in, every feature is
-- plain SQL for analysts and for the online/offline comparison, and a new Avro field arrives as a
-- reviewed migration instead of silently appearing in a blob.
--
-- No column is filled by the database (no now(), no serial): a replayed decision must leave the
-- row exactly as it was.
CREATE TABLE fraud_decisions (
    -- COLLATE "C" orders ids byte by byte, as the Redis feature store does when it breaks ties
    -- between payments of the same millisecond; a locale collation could pick another "latest".
    transaction_id          text COLLATE "C" PRIMARY KEY,
    customer_id             text COLLATE "C" NOT NULL,
    event_time              timestamptz      NOT NULL,
    decision                text             NOT NULL CHECK (decision IN ('APPROVE', 'REVIEW', 'DECLINE')),
    score                   double precision NOT NULL,
    reasons                 text[]           NOT NULL,
    model_version           text             NOT NULL,
    amount                  bigint           NOT NULL,
    payments_last_5m        integer          NOT NULL,
    payments_last_1h        integer          NOT NULL,
    amount_sum_24h          bigint           NOT NULL,
    seconds_since_previous  double precision,
    hour_of_day             integer          NOT NULL,
    unusual_hour            boolean          NOT NULL,
    history_count           bigint           NOT NULL,
    amount_mean             double precision NOT NULL,
    amount_stddev           double precision NOT NULL,
    amount_zscore           double precision NOT NULL
);
