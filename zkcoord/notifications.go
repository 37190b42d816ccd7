package zkcoord

import (
	"errors"
	"strconv"
	"strings"
)

// Sequential notification nodes: written by brokers, consumed (and
// deleted) by the controller or by every broker for config changes.

// SequenceNumber returns the counter ZooKeeper appended to a sequential
// node's name ("config_change_0000000007" with prefix "config_change_" →
// 7); ok is false for names that do not match.
func SequenceNumber(name, prefix string) (n int64, ok bool) {
	rest, found := strings.CutPrefix(name, prefix)
	if !found {
		return 0, false
	}
	v, err := strconv.ParseInt(rest, 10, 64)
	return v, err == nil
}

// CreateIsrChangeNotification records ISR changes for the controller
// (/isr_change_notification/isr_change_NNNNNNNNNN; IBP < 2.7 only) and
// returns the node's path.
func (c *Client) CreateIsrChangeNotification(tps []TopicPartition) (string, error) {
	return c.createSequential(IsrChangeNotificationPath, IsrChangePrefix, EncodeIsrChangeNotification(tps))
}

// CreateLogDirEventNotification tells the controller that a log directory
// of brokerID failed (/log_dir_event_notification/log_dir_event_NNNNNNNNNN).
func (c *Client) CreateLogDirEventNotification(brokerID int32) (string, error) {
	return c.createSequential(LogDirEventNotificationPath, LogDirEventPrefix, EncodeLogDirEvent(brokerID))
}

func (c *Client) createSequential(parent, prefix string, data []byte) (string, error) {
	p, err := c.Create(parent+"/"+prefix, data, PersistentSequential)
	if errors.Is(err, ErrNoNode) {
		if err := c.EnsurePath(parent); err != nil {
			return "", err
		}
		p, err = c.Create(parent+"/"+prefix, data, PersistentSequential)
	}
	return p, err
}
