//! Prometheus metrics. Request counts and latency histograms come from the
//! HTTP middleware (labelled by route pattern, never by raw path, so ids do
//! not explode the series); pool gauges are read when scraped.

use actix_web_prom::{
    ActixMetricsConfiguration, LabelsConfiguration, PrometheusMetrics, PrometheusMetricsBuilder,
};
use anyhow::{Context, Result, anyhow};
use prometheus::{Encoder, IntGauge, Registry, TextEncoder};

use crate::store::DbPool;

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http: PrometheusMetrics,
    pool_max: IntGauge,
    pool_open: IntGauge,
    pool_idle: IntGauge,
    pool_waiting: IntGauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new() -> Result<Self> {
        let registry = Registry::new();
        let http = PrometheusMetricsBuilder::new("lcp")
            .registry(registry.clone())
            .mask_unmatched_patterns("UNMATCHED")
            .metrics_configuration(
                ActixMetricsConfiguration::default()
                    .labels(LabelsConfiguration::default().endpoint("route")),
            )
            .build()
            .map_err(|error| anyhow!("building HTTP metrics: {error}"))?;
        let gauge = |name: &str, help: &str| -> Result<IntGauge> {
            let gauge = IntGauge::new(name, help).context("creating a gauge")?;
            registry
                .register(Box::new(gauge.clone()))
                .context("registering a gauge")?;
            Ok(gauge)
        };
        Ok(Self {
            pool_max: gauge(
                "lcp_db_pool_max_connections",
                "Most connections the pool may open",
            )?,
            pool_open: gauge(
                "lcp_db_pool_open_connections",
                "Connections the pool holds open",
            )?,
            pool_idle: gauge(
                "lcp_db_pool_idle_connections",
                "Open connections not in use",
            )?,
            pool_waiting: gauge(
                "lcp_db_pool_waiting_requests",
                "Requests waiting for a connection",
            )?,
            registry,
            http,
        })
    }

    /// The middleware that counts and times requests.
    pub fn http_middleware(&self) -> PrometheusMetrics {
        self.http.clone()
    }

    /// The text exposition of every metric, pool gauges read now.
    pub fn render(&self, pool: &DbPool) -> Result<String> {
        let status = pool.status();
        let as_gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.pool_max.set(as_gauge(status.max_size));
        self.pool_open.set(as_gauge(status.size));
        self.pool_idle.set(as_gauge(status.available));
        self.pool_waiting.set(as_gauge(status.waiting));
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .context("encoding metrics")?;
        String::from_utf8(buffer).context("metrics are not UTF-8")
    }
}
