package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the Prometheus series of one server. Requests are labelled by
// route pattern, never by path: a path can hold a token, and one series per
// id would grow without end.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "triade_http_requests_total", Help: "HTTP requests answered, by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "triade_http_request_duration_seconds", Help: "Time to answer HTTP requests, by method, route pattern and status.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "status"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	switch method { // any other word a client sends would be a new series
	case http.MethodGet, http.MethodHead, http.MethodPost:
	default:
		method = "OTHER"
	}
	st := strconv.Itoa(status)
	m.requests.WithLabelValues(method, route, st).Inc()
	m.duration.WithLabelValues(method, route, st).Observe(d.Seconds())
}

// Metrics serves /metrics in the Prometheus text format. It is meant for its
// own listener (METRICS_ADDR), out of the public site's reach.
func (s *Server) Metrics() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return mux
}

// Register adds collectors to the server's metrics (database and job queue
// figures that the process owner knows how to read).
func (s *Server) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := s.metrics.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// PoolCollector reports a pgx pool's statistics under triade_db_pool_*.
func PoolCollector(pool *pgxpool.Pool) prometheus.Collector { return poolCollector{pool} }

type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolDescs = map[string]*prometheus.Desc{}
	poolNames = []struct{ name, help string }{
		{"max_conns", "Largest size of the request pool."},
		{"total_conns", "Connections open in the request pool."},
		{"acquired_conns", "Connections in use."},
		{"idle_conns", "Idle connections."},
		{"acquire_total", "Connections acquired, cumulative."},
		{"empty_acquire_total", "Acquisitions that had to wait for a connection, cumulative."},
		{"acquire_wait_seconds_total", "Time spent waiting for a connection, cumulative."},
	}
)

func init() {
	for _, n := range poolNames {
		poolDescs[n.name] = prometheus.NewDesc("triade_db_pool_"+n.name, n.help, nil, nil)
	}
}

func (poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range poolDescs {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.pool.Stat()
	gauge := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(poolDescs[name], prometheus.GaugeValue, v)
	}
	counter := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(poolDescs[name], prometheus.CounterValue, v)
	}
	gauge("max_conns", float64(st.MaxConns()))
	gauge("total_conns", float64(st.TotalConns()))
	gauge("acquired_conns", float64(st.AcquiredConns()))
	gauge("idle_conns", float64(st.IdleConns()))
	counter("acquire_total", float64(st.AcquireCount()))
	counter("empty_acquire_total", float64(st.EmptyAcquireCount()))
	counter("acquire_wait_seconds_total", st.AcquireDuration().Seconds())
}

// QueueCollector reports the job queue and the e-mail outbox, read at each
// scrape through count, which returns River's jobs by state and the number of
// e-mails not yet sent.
func QueueCollector(count func(context.Context) (map[string]int64, int64, error)) prometheus.Collector {
	return queueCollector{count}
}

type queueCollector struct {
	count func(context.Context) (map[string]int64, int64, error)
}

var (
	jobsDesc    = prometheus.NewDesc("triade_jobs", "Background jobs by state (River): available, running, retryable, completed, discarded…", []string{"state"}, nil)
	outboxDesc  = prometheus.NewDesc("triade_outbox_unsent", "E-mails waiting in the outbox.", nil, nil)
	scrapeError = prometheus.NewDesc("triade_queue_scrape_error", "1 when the last read of jobs and outbox failed.", nil, nil)
)

func (queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	ch <- outboxDesc
	ch <- scrapeError
}

func (c queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	jobs, unsent, err := c.count(ctx)
	failed := 0.0
	if err != nil {
		failed = 1
	}
	ch <- prometheus.MustNewConstMetric(scrapeError, prometheus.GaugeValue, failed)
	if err != nil {
		return
	}
	for state, n := range jobs {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(n), state)
	}
	ch <- prometheus.MustNewConstMetric(outboxDesc, prometheus.GaugeValue, float64(unsent))
}
