package broker

import "math"

// quotaRate is Kafka's Rate over a SampledTotal, the measurable behind every
// client quota sensor: the sum of the values recorded in the retained
// samples, divided by the time they span.
//
//   - Samples are windowMs long; at most numSamples are kept (quota.window.num
//     of quota.window.size.seconds). Recording into a sample older than
//     windowMs starts the next one (reusing the oldest slot in turn).
//   - A sample that started numSamples*windowMs ago or more is obsolete: it is
//     reset (emptied, restarted now) before any measurement.
//   - The window a rate is divided by runs from the oldest sample's start to
//     now, but is never shorter than numSamples-1 whole windows, so a fresh
//     client does not see a huge rate from its first burst (Rate.windowSize).
//     A simple rate (replication quotas' SimpleRate) only guarantees one
//     whole window: it divides by the time since the oldest sample started,
//     at least windowMs.
//
// Not safe for concurrent use: the sensor holding it serialises calls.
type quotaRate struct {
	windowMs   int64
	numSamples int
	simple     bool // SimpleRate's window: at least one window, not numSamples-1

	samples []rateSample
	current int
}

type rateSample struct {
	value float64
	start int64 // ms when the sample (re)started: Kafka's lastWindowMs
}

func newQuotaRate(windowMs int64, numSamples int) *quotaRate {
	if numSamples < 1 {
		numSamples = 1
	}
	return &quotaRate{windowMs: windowMs, numSamples: numSamples}
}

// newSimpleQuotaRate is Kafka's SimpleRate, the measurable of replication
// quotas: like newQuotaRate, but a fresh rate's window is one sample long.
func newSimpleQuotaRate(windowMs int64, numSamples int) *quotaRate {
	r := newQuotaRate(windowMs, numSamples)
	r.simple = true
	return r
}

// record adds v at nowMs (SampledStat.record).
func (r *quotaRate) record(v float64, nowMs int64) {
	if len(r.samples) == 0 {
		r.samples = append(r.samples, rateSample{start: nowMs})
	}
	s := &r.samples[r.current]
	if nowMs-s.start >= r.windowMs {
		r.current = (r.current + 1) % r.numSamples
		if r.current >= len(r.samples) {
			r.samples = append(r.samples, rateSample{start: nowMs})
		} else {
			r.samples[r.current] = rateSample{start: nowMs}
		}
		s = &r.samples[r.current]
	}
	s.value += v
}

// purge resets samples that have fallen out of the retained span.
func (r *quotaRate) purge(nowMs int64) {
	expire := int64(r.numSamples) * r.windowMs
	for i := range r.samples {
		if nowMs-r.samples[i].start >= expire {
			r.samples[i] = rateSample{start: nowMs}
		}
	}
}

// windowSize is the span, in ms, the total is divided by (Rate.windowSize).
func (r *quotaRate) windowSize(nowMs int64) int64 {
	r.purge(nowMs)
	if len(r.samples) == 0 {
		r.samples = append(r.samples, rateSample{start: nowMs})
	}
	oldest := r.samples[0].start
	for _, s := range r.samples[1:] {
		if s.start < oldest {
			oldest = s.start
		}
	}
	elapsed := nowMs - oldest
	if r.simple {
		return max(elapsed, r.windowMs)
	}
	full := elapsed / r.windowMs
	if min := int64(r.numSamples - 1); full < min {
		elapsed += (min - full) * r.windowMs
	}
	return elapsed
}

// measure is the rate per second at nowMs (Rate.measure).
func (r *quotaRate) measure(nowMs int64) float64 {
	r.purge(nowMs)
	total := 0.0
	for _, s := range r.samples {
		total += s.value
	}
	w := r.windowSize(nowMs)
	if w <= 0 {
		return 0
	}
	return total / (float64(w) / 1000)
}

// throttleTimeMs is how long a client observed at rate observed must stay
// quiet for its rate over the current window to fall back to bound
// (Kafka's QuotaUtils.throttleTime): the excess as a fraction of the quota,
// times the window the rate was measured over, rounded as Java's
// Math.round does. Zero when observed is within the bound.
func throttleTimeMs(observed, bound float64, windowMs int64) int64 {
	if observed <= bound || bound <= 0 {
		return 0
	}
	return int64(math.Floor((observed-bound)/bound*float64(windowMs) + 0.5))
}
