package log

import (
	"fmt"
	"strconv"
	"strings"
)

// DeleteOldSegments applies retention (log-format.md §4.2, Kafka's
// Log.deleteOldSegments): with cleanup.policy containing "delete", the
// oldest segments whose largest timestamp is older than retention.ms,
// then those beyond retention.bytes; for every policy, segments wholly
// below the log start offset. Only segments below the high watermark go.
// It returns the number of segments deleted.
func (l *Log) DeleteOldSegments() (int, error) {
	cfg := l.Config()
	now := l.now().UnixMilli()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, ErrClosed
	}
	total := 0
	if cfg.Delete() {
		if cfg.RetentionMs >= 0 {
			n, err := l.deleteWhileLocked(fmt.Sprintf("retention time %dms breach", cfg.RetentionMs), func(s *segment, _ bool) bool {
				return now-s.largestTimestamp() > cfg.RetentionMs
			})
			total += n
			if err != nil {
				return total, err
			}
		}
		if cfg.RetentionBytes >= 0 {
			var size int64
			for _, s := range l.segments {
				size += s.size
			}
			diff := size - cfg.RetentionBytes
			if diff > 0 {
				n, err := l.deleteWhileLocked(fmt.Sprintf("retention size in bytes %d breach", cfg.RetentionBytes), func(s *segment, _ bool) bool {
					if diff-s.size >= 0 {
						diff -= s.size
						return true
					}
					return false
				})
				total += n
				if err != nil {
					return total, err
				}
			}
		}
	}
	n, err := l.deleteWhileLocked(fmt.Sprintf("log start offset %d breach", l.logStartOffset), func(s *segment, hasNext bool) bool {
		return hasNext && l.segmentAfter(s).base <= l.logStartOffset
	})
	return total + n, err
}

func (l *Log) segmentAfter(s *segment) *segment {
	for i, x := range l.segments {
		if x == s && i+1 < len(l.segments) {
			return l.segments[i+1]
		}
	}
	return nil
}

// deleteWhileLocked deletes the oldest segments for as long as pred holds
// and the segment lies below the high watermark (Kafka's
// deletableSegments); an empty active segment is never deleted.
func (l *Log) deleteWhileLocked(reason string, pred func(s *segment, hasNext bool) bool) (int, error) {
	hw := max(l.hw, 0)
	n := 0
	for n < len(l.segments) {
		s := l.segments[n]
		hasNext := n+1 < len(l.segments)
		upper := l.leo
		if hasNext {
			upper = l.segments[n+1].base
		}
		if hw < upper || (!hasNext && s.size == 0) || !pred(s, hasNext) {
			break
		}
		n++
	}
	if n == 0 {
		return 0, nil
	}
	bases := make([]string, n)
	for i := range n {
		bases[i] = strconv.FormatInt(l.segments[i].base, 10)
	}
	l.lg.Info(l.prefix() + fmt.Sprintf("Found deletable segments with base offsets [%s] due to %s", strings.Join(bases, ","), reason))
	if err := l.removeOldestLocked(n, reason); err != nil {
		return 0, err
	}
	return n, nil
}
