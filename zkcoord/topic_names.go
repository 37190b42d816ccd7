package zkcoord

import (
	"fmt"
	"strings"
)

// MaxTopicNameLength is Kafka's limit on topic names.
const MaxTopicNameLength = 249

// Kafka's internal topics.
const (
	GroupMetadataTopic    = "__consumer_offsets"
	TransactionStateTopic = "__transaction_state"
)

// IsInternalTopic reports whether Kafka treats the topic as internal.
func IsInternalTopic(name string) bool {
	return name == GroupMetadataTopic || name == TransactionStateTopic
}

// InvalidTopicError is Kafka's InvalidTopicException.
type InvalidTopicError struct{ Msg string }

func (e *InvalidTopicError) Error() string { return e.Msg }

// ValidateTopicName checks a topic name with Kafka's rules and messages
// (org.apache.kafka.common.internals.Topic.validate).
func ValidateTopicName(name string) error {
	switch {
	case name == "":
		return &InvalidTopicError{"Topic name is illegal, it can't be empty"}
	case name == "." || name == "..":
		return &InvalidTopicError{`Topic name cannot be "." or ".."`}
	case len(name) > MaxTopicNameLength:
		return &InvalidTopicError{fmt.Sprintf("Topic name is illegal, it can't be longer than %d characters, topic name: %s", MaxTopicNameLength, name)}
	}
	for i := 0; i < len(name); i++ {
		b := name[i]
		if !(b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '.' || b == '_' || b == '-') {
			return &InvalidTopicError{fmt.Sprintf(`Topic name "%s" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`, name)}
		}
	}
	return nil
}

// HasCollisionChars reports whether the name contains '.' or '_', which
// collide in metric names.
func HasCollisionChars(name string) bool { return strings.ContainsAny(name, "._") }

// TopicsCollide reports whether two names differ only by '.' versus '_'.
func TopicsCollide(a, b string) bool {
	return strings.ReplaceAll(a, ".", "_") == strings.ReplaceAll(b, ".", "_")
}
