-- Windowed payment statistics (AnalyticsPipeline): one row per (dimension, key, window) holding
-- the window's latest pane. The sink replaces a row only with a later pane (greater pane_index),
-- so a LATE refinement replaces the ON_TIME result and a replay changes nothing.
--
-- A statistic the pipeline was not asked for is NULL. The top merchants of a window are three
-- parallel arrays in rank order (unnest(top_merchant_ids, top_merchant_counts, top_merchant_amounts)
-- WITH ORDINALITY turns them into rows).
CREATE TABLE payment_stats (
    dimension             text COLLATE "C" NOT NULL CHECK (dimension IN ('MERCHANT', 'MERCHANT_CATEGORY', 'PAYMENT_METHOD')),
    key                   text COLLATE "C" NOT NULL,
    window_start          timestamptz      NOT NULL,
    window_end            timestamptz      NOT NULL,
    pane_index            bigint           NOT NULL,
    pane_timing           text             NOT NULL CHECK (pane_timing IN ('EARLY', 'ON_TIME', 'LATE')),
    payment_count         bigint,
    amount_sum            bigint,
    amount_mean           double precision,
    amount_p50            bigint,
    amount_p95            bigint,
    amount_p99            bigint,
    distinct_customers    bigint,
    decline_rate          double precision,
    top_merchant_ids      text[],
    top_merchant_counts   bigint[],
    top_merchant_amounts  bigint[],
    PRIMARY KEY (dimension, key, window_start, window_end)
);

-- Dashboards read a time range of one dimension.
CREATE INDEX payment_stats_by_window ON payment_stats (dimension, window_start);
